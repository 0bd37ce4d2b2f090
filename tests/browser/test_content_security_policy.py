"""In real headless Chromium with the portal's Content-Security-Policy: the pages whose scripts moved to static/js
still work (language switch, the lock confirmation), no page reports a violation, and an injected inline script is
refused by the browser and caught by the console watcher every browser test uses."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reports.models import Cycle, CycleStatus
from tests.browser.helpers import sign_in
from tests.reports.submission_helpers import open_cycle


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_pages_work_under_the_policy_and_an_inline_script_is_refused(
    page, live_server, plan, agency_staff, education_reviewer, console_errors
):
    cycle = open_cycle(plan)
    sign_in(page, live_server, agency_staff.username)
    for name in ("reports:notifications", "reports:my_agency"):
        response = page.goto(live_server.url + reverse(name))
        assert "script-src 'self'" in response.headers["content-security-policy"]
    page.click("text=Lập báo cáo")
    page.wait_for_selector("#submission-form")

    # The language switcher's script now lives in static/js/site.js.
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    with page.expect_navigation():
        page.select_option("select[name=language]", "vi")
    assert page.locator("html").get_attribute("lang") == "vi"

    # The lock confirmation now lives in static/js/cycle_detail.js: dismissing it locks nothing, accepting locks.
    sign_in(page, live_server, education_reviewer.username)
    page.goto(live_server.url + reverse("reports:cycle_detail", args=[cycle.pk]))
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.click("#lock-button")
    page.wait_for_timeout(300)
    assert questions and questions[0].startswith("Khóa số liệu kỳ báo cáo này?")
    assert Cycle.objects.get(pk=cycle.pk).status != CycleStatus.LOCKED
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#lock-button")
    page.wait_for_selector("#unlock-form")
    assert Cycle.objects.get(pk=cycle.pk).status == CycleStatus.LOCKED
    assert console_errors.csp_violations == []

    # An inline script injected into the page is refused, and the watcher sees it.
    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1';"
        " document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.injected") is None
    assert console_errors.csp_violations, console_errors.messages
    console_errors.messages.clear()  # the violation was the point of this step
