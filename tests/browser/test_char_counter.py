"""The text limit a person sees is the one the server applies: each text field shows "used/max ký tự" as it is
typed, counting a line end once as the browser's maxlength does, from a static script (no CSP violation)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from reports.submissions.checks import TEXT_MAX
from tests.browser.helpers import ConsoleErrors, sign_in
from tests.reports.submission_helpers import open_cycle, started

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_counter_follows_typing_and_agrees_with_the_browsers_limit(page, live_server, plan, agency, agency_staff):
    submission = started(open_cycle(plan), agency, agency_staff)
    console = ConsoleErrors(page)
    sign_in(page, live_server, agency_staff.username)
    page.goto(live_server.url + reverse("reports:submission_edit", args=[submission.pk]))
    field = page.locator("#id_assessment")
    counter = page.locator("#id_assessment-counter")
    expect(counter).to_have_text(f"0/{TEXT_MAX:,}".replace(",", ".") + " ký tự")
    field.fill("Dòng một\nDòng hai")
    expect(counter).to_have_text(f"17/{TEXT_MAX:,}".replace(",", ".") + " ký tự")
    assert field.get_attribute("aria-describedby") == "id_assessment-counter"
    # The browser's own limit is the server's.
    assert page.evaluate("document.getElementById('id_assessment').maxLength") == TEXT_MAX
    console.assert_no_csp_violation()
    assert not console.messages, console.messages
