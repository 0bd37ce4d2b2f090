"""The task × agency grid of the dashboard."""

from __future__ import annotations

import datetime

from django.urls import reverse

from agencies.models import Agency
from plans.models import AssignmentRole, Task, TaskAssignment
from reports.cycles.services import cycle_open
from reports.dashboard.matrix import coverage_matrix
from reports.models import Progress, Submission, SubmissionStatus, TaskReport


def _report(cycle, agency, codes: dict[str, str], status=SubmissionStatus.SUBMITTED):
    rule = cycle.deadlines.filter(rule__reporters__agencies=agency, rule__consolidates=False).first().rule
    submission = Submission.objects.create(cycle=cycle, agency=agency, rule=rule, status=status)
    for code, progress in codes.items():
        group, number = code.split(".")
        task = Task.objects.get(group__plan=cycle.plan, group__number=group, number=number)
        role = TaskAssignment.objects.current().get(task=task, agency=agency).role
        TaskReport.objects.create(submission=submission, task=task, role=role, progress=progress)


def test_the_grid_has_every_task_and_every_responsible_agency_with_what_each_sent(plan):
    cycle = cycle_open(plan=plan, year=2026)
    sgddt, snv = Agency.objects.get(code="SGDDT"), Agency.objects.get(code="SNV")
    _report(cycle, sgddt, {"1.1": Progress.DONE, "3.8": Progress.IN_PROGRESS})
    _report(cycle, snv, {"4.2": Progress.ONGOING}, status=SubmissionStatus.DRAFT)  # a draft shows nothing

    matrix = coverage_matrix(cycle=cycle, today=datetime.date(2026, 12, 1))

    responsible = set(TaskAssignment.objects.current().values_list("agency_id", flat=True))
    assert {a.pk for a in matrix.agencies} == responsible and not matrix.too_wide
    assert len(matrix.rows) == 42
    column = {a.code: i for i, a in enumerate(matrix.agencies)}
    row = {r.task.code: r for r in matrix.rows}
    assert row["1.1"].cells[column["SGDDT"]].progress == Progress.DONE
    assert row["1.1"].cells[column["SGDDT"]].role == AssignmentRole.LEAD
    assert row["3.8"].cells[column["SGDDT"]].progress == Progress.IN_PROGRESS
    assert row["4.2"].cells[column["SNV"]].role == AssignmentRole.CO_OPERATING
    assert row["4.2"].cells[column["SNV"]].progress is None
    assert row["1.1"].lead_reported and not row["4.2"].lead_reported
    assert row["1.2"].cells[column["CATP"]] is None  # the police has no part in task 1.2


def test_the_matrix_page_runs_a_fixed_number_of_queries(client, plan, education_reviewer, django_assert_num_queries):
    cycle = cycle_open(plan=plan, year=2026)
    client.force_login(education_reviewer)
    url = reverse("reports:dashboard_matrix") + "?year=2026"
    client.get(url)  # warm the session
    # Session, the person (with the nav's two questions: reports.navigation), plan, cycle, agencies, tasks, the cells.
    with django_assert_num_queries(7) as small:
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="task-col" title=') == 42 and "UBND quận Lê Chân" in html
    assert 'class="legend' in html  # the colours of the grid explained beside it
    for agency in Agency.objects.filter(code__in=["SGDDT", "SNV", "CATP", "SLDTBXH"]):
        _report(cycle, agency, {})
    _report(cycle, Agency.objects.get(code="Q_LECHAN"), {"1.1": Progress.DONE, "2.1": Progress.DONE})
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_an_agency_user_cannot_open_the_matrix(client, plan, agency_staff):
    client.force_login(agency_staff)
    assert client.get(reverse("reports:dashboard_matrix")).status_code == 403


def test_a_grid_too_wide_to_read_is_not_built(client, plan, education_reviewer, monkeypatch, django_assert_num_queries):
    # Thousands of agencies (the national data set): the page points to the long form instead of a grid, and
    # neither the tasks nor the cells are read for a grid nobody sees.
    from reports.dashboard import matrix as matrix_module

    cycle_open(plan=plan, year=2026)
    monkeypatch.setattr(matrix_module, "MAX_COLUMNS", 3)
    client.force_login(education_reviewer)
    url = reverse("reports:dashboard_matrix") + "?year=2026"
    client.get(url)
    with django_assert_num_queries(5):
        response = client.get(url)
    html = response.content.decode()
    assert "quá nhiều cơ quan" in html and 'class="task-col" title=' not in html
    assert reverse("reports:dashboard_coverage_cells") in html
    assert 'class="legend' not in html and "Mỗi ô là phần việc" not in html  # they describe a grid not drawn
