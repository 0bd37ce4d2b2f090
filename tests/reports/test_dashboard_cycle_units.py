"""A year's coverage shows that year's units (progress.cycle_assignments): the districts in 2024, the communes that
succeeded them on 1/7/2025 in 2026; a unit that had ended is not listed as owing anything, whatever its assignment
rows say. The coverage detail, its export, the matrix, the coverage page's lead names and the consolidated report
all read the one definition."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse

from agencies.models import Agency
from plans.models import AssignmentRole, TaskAssignment
from reports.dashboard.matrix import coverage_matrix
from reports.dashboard.progress import cycle_agencies, cycle_assignments
from reports.models import Cycle, Progress, SubmissionStatus
from tests.reports.dashboard_helpers import export_text, task_report
from tests.reports.test_dashboard_lineage import (  # noqa: F401  (fixtures: the reorganised plan, the frozen day)
    frozen_today,
    reorganised,
)

pytestmark = pytest.mark.django_db

AGENCY = "Cơ quan, đơn vị"


def _cells(client, plan, year: int) -> list[dict[str, str]]:
    """The coverage detail with every role, as its CSV export lists it."""
    url = reverse("reports:dashboard_coverage_cells")
    response = client.get(url, {"plan": plan.pk, "year": year, "role": "", "_export": "csv"})
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(export_text(response))))


def _name(code: str) -> str:
    return Agency.objects.get(code=code).name


def test_each_year_lists_the_units_of_that_year_with_what_they_reported(
    client,
    reorganised,  # noqa: F811  (the fixture imported above)
    education_reviewer,
):
    # Quận Lê Chân reported on task 1.1 in 2024 (accepted by the fixture), before it was split on 1/7/2025.
    submission = reorganised.cycles.get(year=2024).submissions.get(agency__code="Q_LECHAN")
    task_report(submission, reorganised, "1.1", Progress.DONE, role=AssignmentRole.CO_OPERATING)
    client.force_login(education_reviewer)

    listed_2024 = {row[AGENCY] for row in _cells(client, reorganised, 2024)}
    listed_2026 = {row[AGENCY] for row in _cells(client, reorganised, 2026)}

    # Before the reorganisation: the districts and Sở KH&ĐT, not the communes that did not exist yet.
    assert {_name("Q_LECHAN"), _name("Q_NGOQUYEN"), _name("SKHDT")} <= listed_2024
    assert not {_name(code) for code in ("P_MOT", "P_HAI", "P_BA")} & listed_2024
    # After it: the communes; the split districts and the merged department answer for nothing any more.
    assert {_name(code) for code in ("P_MOT", "P_HAI", "P_BA")} <= listed_2026
    assert not {_name("Q_LECHAN"), _name("Q_NGOQUYEN"), _name("SKHDT")} & listed_2026
    # The district's own report of 2024 is there to read (today's units would list it as nobody's).
    (le_chan_1_1,) = [
        row for row in _cells(client, reorganised, 2024) if row[AGENCY] == _name("Q_LECHAN") and row["STT"] == "1.1"
    ]
    assert le_chan_1_1["Tiến độ báo cáo"] == str(Progress.DONE.label)
    assert le_chan_1_1["Trạng thái báo cáo"] == str(SubmissionStatus.ACCEPTED.label)
    # Each task's leads come before its co-operating units (with every role they came last, past the pages shown).
    roles = [row["Vai trò"] for row in _cells(client, reorganised, 2024) if row["STT"] == "1.1"]
    lead, co_operating = str(AssignmentRole.LEAD.label), str(AssignmentRole.CO_OPERATING.label)
    assert roles[0] == lead and co_operating in roles and roles == sorted(roles, key=lambda role: role != lead)
    # A unit that has not reported says so in the file as on the page (the cell was blank), so a spreadsheet
    # filtered on it finds the rows.
    thu_hai = [row for row in _cells(client, reorganised, 2026) if row[AGENCY] == _name("P_HAI")]
    assert thu_hai and {row["Tiến độ báo cáo"] for row in thu_hai} == {"Chưa báo cáo"}


def test_an_agency_that_had_ended_is_not_listed_even_if_its_assignments_were_never_ended(
    reorganised,  # noqa: F811  (the fixture imported above)
):
    """Data entered by hand or by an import may close an agency and leave its assignments open: the agency still
    answers for nothing after its last day."""
    home_affairs = Agency.objects.get(code="SNV")
    assert TaskAssignment.objects.current().filter(agency=home_affairs).exists()
    Agency.objects.filter(pk=home_affairs.pk).update(valid_to=datetime.date(2025, 12, 31))
    cycle_2026 = reorganised.cycles.get(year=2026)
    today = datetime.date(2026, 12, 10)

    assert not cycle_assignments(cycle=cycle_2026, today=today).filter(agency=home_affairs).exists()
    assert home_affairs.pk not in {a.pk for a in coverage_matrix(cycle=cycle_2026, today=today).agencies}
    in_2024 = cycle_assignments(cycle=reorganised.cycles.get(year=2024), today=today)
    assert in_2024.filter(agency=home_affairs).exists()


def test_the_matrix_and_the_lead_names_of_a_past_year_are_that_years(
    client,
    reorganised,  # noqa: F811  (the fixture imported above)
    education_reviewer,
):
    cycle_2024: Cycle = reorganised.cycles.get(year=2024)
    today = datetime.date(2026, 12, 10)
    columns_2024 = {a.code for a in coverage_matrix(cycle=cycle_2024, today=today).agencies}
    columns_2026 = {a.code for a in coverage_matrix(cycle=reorganised.cycles.get(year=2026), today=today).agencies}
    assert {"Q_LECHAN", "SKHDT"} <= columns_2024 and not {"P_MOT", "P_HAI"} & columns_2024
    assert {"P_MOT", "P_HAI"} <= columns_2026 and not {"Q_LECHAN", "SKHDT"} & columns_2026
    # The matrix's columns are the agencies of the cycle's assignments, each once.
    for cycle in reorganised.cycles.all():
        of_assignments = set(cycle_assignments(cycle=cycle, today=today).values_list("agency_id", flat=True))
        agencies = cycle_agencies(cycle=cycle, today=today, among=Agency.objects.all())
        assert sorted(agencies.values_list("pk", flat=True)) == sorted(of_assignments)

    # A task Sở KH&ĐT led until its merger (its assignment ended then): 2024's coverage names it among the task's
    # leads, 2026's does not.
    led = TaskAssignment.objects.filter(agency__code="SKHDT", ended_on__isnull=False).order_by("task_id").first()
    TaskAssignment.objects.filter(pk=led.pk).update(role=AssignmentRole.LEAD)
    client.force_login(education_reviewer)
    leads = {}
    for year in (2024, 2026):
        response = client.get(reverse("reports:dashboard_coverage"), {"plan": reorganised.pk, "year": year})
        (line,) = [x for x in response.context["table"].data.data if x.task.pk == led.task_id]
        leads[year] = line.lead_names
    planning = Agency.objects.get(code="SKHDT").short_name
    assert planning in leads[2024] and planning not in leads[2026], leads


def test_the_consolidated_report_of_a_past_year_names_that_years_units(
    reorganised,  # noqa: F811  (the fixture imported above)
):
    """Phụ lục I names each task's co-operating units: 2024's report those of 2024 (Sở KH&ĐT among them), 2026's
    those of 2026, whenever either is issued."""
    from reports.documents.numbering import default_issuer_profile, issuer_snapshot
    from reports.documents.pdf.consolidated import build_consolidated_context

    def co_operating(year: int) -> str:
        context = build_consolidated_context(
            cycle=reorganised.cycles.get(year=year),
            snapshot=issuer_snapshot(default_issuer_profile()),
            issued_on=datetime.date(2026, 12, 10),
            number_text="01/BC-SGDĐT",
            charts=[],
        )
        return " ".join(row.co_operating for group in context["groups"] for row in group.tasks)

    planning = Agency.objects.get(code="SKHDT").short_name  # merged into Sở Tài chính in 2025
    assert planning in co_operating(2024) and planning not in co_operating(2026)
