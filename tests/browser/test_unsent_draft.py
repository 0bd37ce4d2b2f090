"""Issue 12: what is typed on the edit page is kept in the browser's local storage until it is saved, and offered
back after a crash or a closed tab; once saved, nothing is offered."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser.helpers import sign_in
from tests.reports.submission_helpers import open_cycle, started


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_text_typed_before_a_crash_is_offered_back_and_a_saved_one_is_not(
    page, live_server, plan, district, district_staff
):
    draft = started(open_cycle(plan), district, district_staff)
    url = live_server.url + reverse("reports:submission_edit", args=[draft.pk])
    sign_in(page, live_server, district_staff.username)
    page.goto(url)
    page.fill("textarea[name=assessment]", "Đoạn đánh giá dài đang gõ dở")
    page.wait_for_timeout(700)  # the draft is written 0,4 s after the last key

    # The tab "crashes": a second tab of the same browser opens the page.
    second = page.context.new_page()
    second.goto(url)
    offer = second.locator("#draft-offer")
    assert offer.is_visible()
    assert second.locator("textarea[name=assessment]").input_value() == ""
    second.click("[data-draft-restore]")
    assert second.locator("textarea[name=assessment]").input_value() == "Đoạn đánh giá dài đang gõ dở"
    second.click("button[value=save]")
    second.wait_for_load_state()
    draft.refresh_from_db()
    assert draft.assessment == "Đoạn đánh giá dài đang gõ dở"

    # Saved: the stored draft equals what the server holds, so it is dropped without asking.
    third = page.context.new_page()
    third.goto(url)
    assert not third.locator("#draft-offer").is_visible()
    key = f"hptracker-draft-{district_staff.pk}-{draft.pk}"
    assert third.evaluate(f"() => window.localStorage.getItem('{key}')") is None


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_signing_out_forgets_the_text_kept_in_this_browser(page, live_server, plan, district, district_staff):
    # An office computer is shared: what one person typed and never saved must not be offered to the next.
    draft = started(open_cycle(plan), district, district_staff)
    url = live_server.url + reverse("reports:submission_edit", args=[draft.pk])
    sign_in(page, live_server, district_staff.username)
    page.goto(url)
    page.fill("textarea[name=assessment]", "Đoạn chưa lưu trên máy dùng chung")
    page.wait_for_timeout(700)
    key = f"hptracker-draft-{district_staff.pk}-{draft.pk}"
    assert page.evaluate(f"() => window.localStorage.getItem('{key}')") is not None
    page.evaluate("() => window.localStorage.setItem('another-site-key', 'kept')")
    page.on("dialog", lambda dialog: dialog.accept())  # the unsaved-text warning, answered "leave"
    page.click("form[data-clears-drafts] button")
    page.wait_for_url(lambda address: "dang-nhap" in address)
    assert page.evaluate(f"() => window.localStorage.getItem('{key}')") is None
    assert page.evaluate("() => window.localStorage.getItem('another-site-key')") == "kept"
