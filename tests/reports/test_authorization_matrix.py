"""Every URL of the submission area, with every role, for a report of the person's own agency and of another:
allowed (never 403), denied, anonymous (302 to the login page), never a server error.

Denied is 404 for a person who may not see the report (its existence, its evidence, its history are
confidential) and 403 for one who sees it but may not take the action, or on a page about no single report."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password
from django.urls import reverse

from reports.cycles.services import cycle_lock
from reports.models import Submission
from reports.submissions.evidence import evidence_add
from tests.reports.submission_helpers import PDF, fill_progress, open_cycle, started, upload

pytestmark = pytest.mark.django_db

PEOPLE = [
    "anonymous",
    "outsider",
    "agency_staff",
    "agency_head",
    "other_agency_staff",
    "district_staff",
    "district_head",
    "education_reviewer",
    "labour_reviewer",
    "leader",
    "administrator",
]
VIEW_SNV = {"agency_staff", "agency_head", "education_reviewer", "leader", "administrator"}
VIEW_DISTRICT = {"district_staff", "district_head", "education_reviewer", "labour_reviewer", "leader", "administrator"}
MEMBERS = set(PEOPLE) - {"anonymous", "outsider"}
AGENCY_PEOPLE = {"agency_staff", "agency_head", "other_agency_staff", "district_staff", "district_head"}
# Locking a cycle's figures: the consolidator's (Sở GD&ĐT's) reviewers and the administrators, not the Sở LĐTB&XH's.
LOCKERS = {"education_reviewer", "administrator"}

# name → (method, which report ("snv" / "district" / None), who may come in for the SNV report, for the district's)
MATRIX = {
    "my_agency": ("get", None, AGENCY_PEOPLE, AGENCY_PEOPLE),
    "agency_detail": ("get", "agency", VIEW_SNV | {"labour_reviewer"}, VIEW_DISTRICT),
    "cycle_list": ("get", None, MEMBERS, MEMBERS),
    "cycle_detail": ("get", "cycle", MEMBERS, MEMBERS),
    "cycle_lock": ("post", "cycle", LOCKERS, LOCKERS),
    "cycle_unlock": ("post", "cycle", LOCKERS, LOCKERS),
    "submission_start": ("post", "cycle", AGENCY_PEOPLE, AGENCY_PEOPLE),
    "reviewer_inbox": (
        "get",
        None,
        {"education_reviewer", "labour_reviewer", "administrator"},
        {"education_reviewer", "labour_reviewer", "administrator"},
    ),
    "submission_detail": ("get", "report", VIEW_SNV, VIEW_DISTRICT),
    "submission_edit": ("get", "report", {"agency_staff", "agency_head"}, {"district_staff", "district_head"}),
    "submission_edit_post": ("post", "report", {"agency_staff", "agency_head"}, {"district_staff", "district_head"}),
    "submission_send": ("post", "report", {"agency_head"}, {"district_head"}),
    "submission_return": ("post", "report", {"education_reviewer"}, {"education_reviewer"}),
    "submission_accept": ("post", "report", {"education_reviewer"}, {"education_reviewer"}),
    "submission_reopen": ("post", "report", {"administrator"}, {"administrator"}),
    "submission_acknowledge": ("post", "report", {"education_reviewer"}, {"education_reviewer", "labour_reviewer"}),
    "submission_history": ("get", "report", VIEW_SNV, VIEW_DISTRICT),
    "evidence_download": ("get", "evidence", VIEW_SNV, VIEW_DISTRICT),
}


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Eleven people per test: a fast hasher keeps the matrix quick; nothing here tests passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    make_password("warm")


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def people(request, outsider):
    found = {"anonymous": None, "outsider": outsider}
    for name in PEOPLE[2:]:
        found[name] = request.getfixturevalue(name)
    return found


def _url(name: str, scope: str | None, submission: Submission, evidence_id: int) -> str:
    route = "submission_edit" if name == "submission_edit_post" else name
    if scope is None:
        return reverse(f"reports:{route}")
    if scope == "agency":
        return reverse(f"reports:{route}", args=[submission.agency_id])
    if scope == "cycle":
        return reverse(f"reports:{route}", args=[submission.cycle_id])
    if scope == "evidence":
        return reverse(f"reports:{route}", args=[submission.pk, evidence_id])
    return reverse(f"reports:{route}", args=[submission.pk])


@pytest.mark.parametrize("whose", ["snv", "district"])
@pytest.mark.parametrize("name", list(MATRIX))
def test_every_url_allows_exactly_the_right_people(client, plan, people, agency, district, whose, name):
    method, scope, allowed_snv, allowed_district = MATRIX[name]
    allowed = allowed_snv if whose == "snv" else allowed_district
    cycle = open_cycle(plan)
    owner, staff = (agency, people["agency_staff"]) if whose == "snv" else (district, people["district_staff"])
    submission = started(cycle, owner, staff)
    fill_progress(submission)
    evidence = evidence_add(submission=submission, by=staff, upload=upload("minh-chung.pdf", PDF))
    if name == "cycle_unlock":
        # Unlocking is tried on a locked cycle, so that the first allowed person really unlocks it.
        cycle_lock(cycle=cycle, by=people["administrator"])
    url = _url(name, scope, submission, evidence.pk)
    login = reverse("login")
    wrong = []
    for person_name in PEOPLE:
        client.logout()
        if people[person_name] is not None:
            client.force_login(people[person_name])
        response = getattr(client, method)(url, {"reason": "Lý do kiểm thử"} if method == "post" else None)
        status, location = response.status_code, response.get("Location", "")
        if person_name == "anonymous":
            ok = status == 302 and location.startswith(login)
        elif person_name in allowed:
            ok = status in (200, 302) and not location.startswith(login)
        else:
            sees_report = person_name in (VIEW_SNV if whose == "snv" else VIEW_DISTRICT)
            ok = status == (404 if scope in ("report", "evidence") and not sees_report else 403)
        if not ok:
            wrong.append((person_name, status, location))
    assert wrong == [], f"{method.upper()} {url}"
