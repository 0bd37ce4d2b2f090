"""A hand-made cycle of plan 193 for the dashboard tests: one report in each state, built directly with the ORM."""

from __future__ import annotations

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from agencies.models import Agency
from plans.models import Plan, ReportingRule, Task
from reports.cycles.services import cycle_open
from reports.models import Cycle, Progress, Submission, SubmissionStatus, TaskReport

# Every page (tab) of the dashboard by URL name (test_dashboard_scope checks the list against the URL conf), and
# those that export their rows as CSV/XLSX.
DASHBOARD_PAGES = [
    "dashboard",
    "dashboard_reports",
    "dashboard_missing",
    "dashboard_years",
    "dashboard_coverage",
    "dashboard_matrix",
    "dashboard_coverage_cells",
    "dashboard_targets",
    "dashboard_issues",
    "dashboard_proposals",
]
EXPORTING_PAGES = [name for name in DASHBOARD_PAGES if name not in ("dashboard", "dashboard_matrix")]

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
YEAR = 2024
TODAY = datetime.date(2024, 12, 10)  # ten days after the 30/11 deadline


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=HANOI)


def rule_of(agency: Agency, plan: Plan) -> ReportingRule:
    return ReportingRule.objects.get(plan=plan, consolidates=False, reporters__agencies=agency)


def report(
    cycle: Cycle, code: str, status: str, sent_on: datetime.date | None = None, proposals: str = ""
) -> Submission:
    agency = Agency.objects.get(code=code)
    return Submission.objects.create(
        cycle=cycle,
        agency=agency,
        rule=rule_of(agency, cycle.plan),
        status=status,
        submitted_at=at(sent_on) if sent_on else None,
        proposals=proposals,
    )


def task(plan: Plan, code: str) -> Task:
    group, number = code.split(".")
    return Task.objects.get(group__plan=plan, group__number=int(group), number=int(number))


def task_report(
    submission: Submission,
    plan: Plan,
    code: str,
    progress: str,
    role: str = "lead",
    difficulties: str = "",
    proposals: str = "",
) -> TaskReport:
    return TaskReport.objects.create(
        submission=submission,
        task=task(plan, code),
        role=role,
        progress=progress,
        difficulties=difficulties,
        proposals=proposals,
    )


def hand_made_cycle(plan: Plan) -> dict:
    """The 2024 cycle of plan 193 (deadline 30/11/2024 for every reporting unit):
    - SNV (department) submitted 20/11 -> on time;      H_ANLAO (district) accepted, sent 30/11 23:00 -> on time;
    - CATP (police: "others") submitted 05/12 -> late;  Q_LECHAN (district) returned;
    - SKHDT (department) still drafting -> missing;     every other agency -> missing;
    - STC (department) ceased to exist on 30/06/2024 (merged): not expected, although it sent a report in May.
    """
    cycle = cycle_open(plan=plan, year=YEAR)
    stc = Agency.objects.get(code="STC")
    early = report(cycle, "STC", SubmissionStatus.SUBMITTED, datetime.date(2024, 5, 20))
    stc.valid_to = datetime.date(2024, 6, 30)
    stc.save()
    made = {
        "SNV": report(
            cycle,
            "SNV",
            SubmissionStatus.SUBMITTED,
            datetime.date(2024, 11, 20),
            proposals="Đề nghị bổ sung biên chế giáo viên mầm non.",
        ),
        "H_ANLAO": Submission.objects.create(
            cycle=cycle,
            agency=Agency.objects.get(code="H_ANLAO"),
            rule=rule_of(Agency.objects.get(code="H_ANLAO"), plan),
            status=SubmissionStatus.ACCEPTED,
            submitted_at=datetime.datetime(2024, 11, 30, 23, 0, tzinfo=HANOI),
        ),
        "CATP": report(cycle, "CATP", SubmissionStatus.SUBMITTED, datetime.date(2024, 12, 5)),
        "Q_LECHAN": report(cycle, "Q_LECHAN", SubmissionStatus.RETURNED, datetime.date(2024, 11, 25)),
        "SKHDT": report(cycle, "SKHDT", SubmissionStatus.DRAFT),
        "STC": early,
    }
    snv, catp, lechan = made["SNV"], made["CATP"], made["Q_LECHAN"]
    task_report(snv, plan, "1.1", Progress.DONE)
    task_report(catp, plan, "1.1", Progress.DONE)
    task_report(snv, plan, "1.2", Progress.IN_PROGRESS, difficulties="Thiếu kinh phí tuyên truyền.")
    task_report(catp, plan, "1.2", Progress.DONE)
    task_report(snv, plan, "1.3", Progress.NOT_STARTED)
    task_report(lechan, plan, "1.4", Progress.DONE, difficulties="Trường lớp xuống cấp.")  # returned: ignored
    task_report(snv, plan, "1.4", Progress.DONE, role="co_operating", proposals="Tăng cường phối hợp.")
    return {"cycle": cycle, **made}


def export_bytes(response) -> bytes:
    """The body of an export: CSV is streamed and XLSX sent as a file, so neither has `.content`."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def export_text(response) -> str:
    """A CSV export's text, without the byte-order mark Excel needs."""
    return export_bytes(response).decode("utf-8-sig")


@pytest.fixture
def frozen_today():
    """Ten days after the 30/11 deadline of the hand-made cycle (a module makes it autouse by assigning it)."""
    with time_machine.travel("2024-12-10 10:00 +07:00", tick=False):
        yield


@pytest.fixture
def made(plan):
    return hand_made_cycle(plan)


def dashboard_url(name: str, plan: Plan, **params) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"plan": plan.pk, **params}.items())
    return f"{reverse('reports:' + name)}?{query}"


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(export_text(response))))
