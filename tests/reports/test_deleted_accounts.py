"""When a person's account is deleted (staff leave; their reports, comments, locks and documents stay, with the
person set to nobody), every page that named them still opens and shows "—".

Templates had written `person.get_full_name|default:person.username`: Django raises VariableDoesNotExist for a
missing object in a filter's argument, so each such page answered HTTP 500 once the account was gone (seen on a
report of the synthetic data set, which has no sender). Names are written by one filter, `|full_name`."""

from __future__ import annotations

import pathlib
import re

import pytest
from django.conf import settings
from django.urls import reverse

from agencies.models import Agency, Role
from reports.cycles.services import cycle_lock
from reports.documents import services as documents
from reports.submissions.reviews import review_return
from tests.conftest import make_person
from tests.reports.submission_helpers import open_cycle, sent

pytestmark = pytest.mark.django_db


def test_pages_naming_a_deleted_account_open_and_show_a_dash(
    client, plan, agency, agency_staff, agency_head, education_reviewer
):
    cycle = open_cycle(plan)
    departed_reviewer = make_person("sgddt.nghiviec", Role.REVIEWER, Agency.objects.get(code="SGDDT"))
    submission = review_return(
        submission=sent(cycle, agency, agency_staff, agency_head),
        reviewer=departed_reviewer,
        reason="Bổ sung số liệu nhiệm vụ 1.1.",
    )
    cycle_lock(cycle=cycle, by=departed_reviewer)
    documents.generated_report_request(cycle=cycle, by=departed_reviewer)
    client.force_login(education_reviewer)
    pages = [
        reverse("reports:submission_detail", args=[submission.pk]),
        reverse("reports:submission_history", args=[submission.pk]),
        reverse("reports:cycle_detail", args=[cycle.pk]),
        reverse("reports:consolidated_reports"),
    ]
    named = {page: client.get(page).content.decode() for page in pages}
    assert "Hoàng Văn Lê" in named[pages[0]]  # the head who sent the report, while the account exists
    assert all(departed_reviewer.get_full_name() in html for html in named.values())

    agency_head.delete()
    departed_reviewer.delete()
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert "Hoàng Văn Lê" not in html and departed_reviewer.get_full_name() not in html
        assert "—" in html
    # The report's line says who sent it: nobody known now, not an empty pair of brackets.
    assert "(—)" in client.get(pages[0]).content.decode()


def test_no_template_writes_a_name_but_through_the_full_name_filter():
    """`x.get_full_name|default:x.username` fails when x is missing, and writes the name Django's way; the one
    way is `x|full_name` (agencies.names: family name first, the username without a name, "—" for nobody)."""
    templates = pathlib.Path(settings.BASE_DIR) / "templates"
    offending = [
        f"{path.relative_to(templates)}:{number}"
        for path in sorted(templates.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "get_full_name" in line or re.search(r"\|default:\w+\.\w+\.\w+", line)
    ]
    assert offending == []
