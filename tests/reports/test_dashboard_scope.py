"""Issue 9 item 5 / issue 8 item 3: every dashboard URL and export, for every role, through one scope function.

Who may come in: the consolidating reviewer (Sở GD&ĐT), the other reviewers (Sở LĐTB&XH), leaders and
administrators; agency staff and heads and people without an agency get 403 (the dashboard is a page about no
single report), the anonymous are sent to the login page. What they read: everything, except the Sở LĐTB&XH
reviewer, who reads only what is addressed to it (the districts' reports), on every page and in every export.
Old code: years, coverage, cells, targets and the matrix were not narrowed for that reviewer."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.urls import reverse

from agencies.models import Agency, AgencyKind
from reports.models import Progress, SubmissionStatus

from .dashboard_helpers import DASHBOARD_PAGES, EXPORTING_PAGES, HANOI, TODAY, hand_made_cycle, task_report

pytestmark = pytest.mark.django_db

PEOPLE = [
    "anonymous",
    "outsider",
    "agency_staff",
    "agency_head",
    "district_staff",
    "district_head",
    "education_reviewer",
    "labour_reviewer",
    "leader",
    "administrator",
]
READERS = {"education_reviewer", "labour_reviewer", "leader", "administrator"}
PAGES, EXPORTS = DASHBOARD_PAGES, EXPORTING_PAGES


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    make_password("warm")


@pytest.fixture
def people(request, outsider):
    found = {"anonymous": None, "outsider": outsider}
    for name in PEOPLE[2:]:
        found[name] = request.getfixturevalue(name)
    return found


@pytest.fixture
def made(plan):
    made = hand_made_cycle(plan)
    # One accepted department report with content, one accepted district report with content.
    made["SNV"].status = SubmissionStatus.ACCEPTED
    made["SNV"].save()
    task_report(made["H_ANLAO"], plan, "2.1", Progress.DONE, difficulties="Thiếu phòng học.")
    return made


def get(client, person, name, params):
    client.logout()
    if person is not None:
        client.force_login(person)
    with time_machine.travel(datetime.datetime.combine(TODAY, datetime.time(10), tzinfo=HANOI), tick=False):
        response = client.get(reverse(f"reports:{name}"), params)
    return response


def body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode("utf-8-sig")


@pytest.mark.parametrize("export", [False, True])
@pytest.mark.parametrize("name", PAGES)
def test_every_dashboard_url_and_export_lets_in_exactly_the_readers(client, plan, made, people, name, export):
    if export and name not in EXPORTS:
        pytest.skip("this page has no export")
    params = {"plan": plan.pk, "year": made["cycle"].year, **({"_export": "csv"} if export else {})}
    wrong = []
    for person_name in PEOPLE:
        response = get(client, people[person_name], name, params)
        status, location = response.status_code, response.get("Location", "")
        if person_name == "anonymous":
            ok = status == 302 and location.startswith(reverse("login"))
        elif person_name in READERS:
            ok = status == 200
        else:
            ok = status == 403
        if not ok:
            wrong.append((person_name, status, location))
    assert wrong == []


LISTING_AGENCIES = ["dashboard_reports", "dashboard_missing", "dashboard_years", "dashboard_coverage_cells"]


@pytest.mark.parametrize("name", LISTING_AGENCIES)
def test_the_labour_reviewer_reads_only_the_districts_on_the_page_and_in_the_export(client, plan, made, people, name):
    params = {"plan": plan.pk, "year": made["cycle"].year, "role": "", "per_page": 500}
    # Departments other than the two reviewers' own (whose names the page header may carry).
    departments = list(
        Agency.objects.filter(kind=AgencyKind.DEPARTMENT)
        .exclude(code__in=["SGDDT", "SLDTBXH"])
        .values_list("name", flat=True)
    )
    for export in (False, True):
        extra = {"_export": "csv"} if export else {}
        everyone = body(get(client, people["education_reviewer"], name, {**params, **extra}))
        labour = body(get(client, people["labour_reviewer"], name, {**params, **extra}))
        assert any(n in everyone for n in departments), (name, export)
        assert not any(n in labour for n in departments), (name, export)
        assert "huyện" in labour or "quận" in labour.lower(), (name, export)
        if export:
            rows = list(csv.reader(io.StringIO(labour)))
            assert len(rows) > 1


def test_the_labour_reviewer_s_figures_come_from_the_districts_reports_only(client, plan, made, people):
    params = {"plan": plan.pk, "year": made["cycle"].year}
    everyone = get(client, people["education_reviewer"], "dashboard", params).context
    labour = get(client, people["labour_reviewer"], "dashboard", params).context
    assert (everyone["basis"].accepted, labour["basis"].accepted) == (2, 1)
    assert everyone["total"].expected == 37
    assert labour["total"].expected < everyone["total"].expected
    # Task 1.1: SNV's accepted report says done; the labour reviewer does not read it.
    status_everyone = {line.task.code: line.status for line in get_lines(client, people["education_reviewer"], plan)}
    status_labour = {line.task.code: line.status for line in get_lines(client, people["labour_reviewer"], plan)}
    assert status_everyone["1.1"] == "done" and status_labour["1.1"] == "no_report"
    assert status_labour["2.1"] == status_everyone["2.1"] == "done"
    matrix_everyone = get(client, people["education_reviewer"], "dashboard_matrix", params).context["matrix"]
    matrix_labour = get(client, people["labour_reviewer"], "dashboard_matrix", params).context["matrix"]
    assert any(a.code == "SNV" for a in matrix_everyone.agencies)
    assert matrix_labour.agencies and all(a.kind == "district" for a in matrix_labour.agencies)


def get_lines(client, person, plan):
    response = get(client, person, "dashboard_coverage", {"plan": plan.pk, "year": 2024})
    return response.context["table"].data.data


def test_the_list_of_dashboard_pages_the_tests_walk_is_every_tab_of_the_url_conf():
    # A new tab added to the dashboard is then scoped, exported and smoke-tested on SQLite like the others.
    from reports.dashboard import urls

    tabs = {p.name for p in urls.urlpatterns if p.name and not p.name.startswith("dashboard_export")}
    assert tabs == set(DASHBOARD_PAGES)
