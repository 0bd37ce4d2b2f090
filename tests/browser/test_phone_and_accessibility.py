"""Issue 12, phones and accessibility: every main page at 390×844 (a phone) and 1366×900, screenshots kept in
var/screenshots/ for a person to look at, and axe-core (axe-playwright-python, bundled, no CDN) reporting no
violation on any of them, whatever its impact."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse

from reports.submissions.reviews import review_return
from tests.browser.helpers import sign_in
from tests.conftest import REPO
from tests.reports.submission_helpers import fill_progress, open_cycle, sent, started

SHOTS = REPO / "var" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
# Every impact axe reports: the minor ones too (an empty header cell told a screen reader nothing).
BLOCKING = {"minor", "moderate", "serious", "critical"}


def look(page, live_server, url: str, name: str, axe: Axe, found: dict[str, list[str]]) -> None:
    for size, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(viewport)
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{size}.png"), full_page=size == "phone")
        if size == "phone":
            # The page fits the phone: nothing wider than the screen outside a scrolling box.
            width = page.evaluate("() => document.documentElement.scrollWidth")
            if width > PHONE["width"] + 1:
                found.setdefault(name, []).append(f"page is {width}px wide at 390px")
        results = axe.run(page)
        for violation in results.response["violations"]:
            if violation["impact"] in BLOCKING:
                targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
                found.setdefault(name, []).append(f"{size} {violation['id']} ({violation['impact']}): {targets}")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_main_pages_fit_a_phone_and_have_no_accessibility_violation(
    page,
    live_server,
    plan,
    district,
    district_staff,
    district_head,
    agency,
    agency_staff,
    agency_head,
    education_reviewer,
    leader,
    administrator,
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    cycle = open_cycle(plan)
    draft = started(cycle, district, district_staff)
    fill_progress(draft)
    returned = review_return(
        submission=sent(cycle, agency, agency_staff, agency_head), reviewer=education_reviewer, reason="Bổ sung"
    )
    axe = Axe()
    found: dict[str, list[str]] = {}

    sign_in(page, live_server, district_staff.username)
    for name, url in [
        ("agency", reverse("reports:agency_detail", args=[district.pk])),
        ("edit", reverse("reports:submission_edit", args=[draft.pk])),
        ("detail", reverse("reports:submission_detail", args=[draft.pk])),
        ("notifications", reverse("reports:notifications")),
        ("notification-settings", reverse("reports:notification_settings")),
        ("plans", reverse("plans:plan_list")),
        ("plan", reverse("plans:plan_detail", args=[plan.pk])),
        ("cycles", reverse("reports:cycle_list")),
    ]:
        look(page, live_server, url, f"staff-{name}", axe, found)

    sign_in(page, live_server, education_reviewer.username)
    for name, url in [
        ("inbox", reverse("reports:reviewer_inbox")),
        ("returned", reverse("reports:submission_detail", args=[returned.pk])),
        ("history", reverse("reports:submission_history", args=[returned.pk])),
        ("cycle", reverse("reports:cycle_detail", args=[cycle.pk])),
        ("dashboard", reverse("reports:dashboard")),
        ("dashboard-reports", reverse("reports:dashboard_reports")),
        ("dashboard-missing", reverse("reports:dashboard_missing")),
        ("dashboard-years", reverse("reports:dashboard_years")),
        ("dashboard-coverage", reverse("reports:dashboard_coverage")),
        ("dashboard-matrix", reverse("reports:dashboard_matrix")),
        ("dashboard-targets", reverse("reports:dashboard_targets")),
        ("dashboard-issues", reverse("reports:dashboard_issues")),
        ("dashboard-proposals", reverse("reports:dashboard_proposals")),
        ("consolidated", reverse("reports:consolidated_reports")),
        ("exports", reverse("reports:dashboard_exports")),
        ("reminder-log", reverse("reports:reminder_log")),
        ("verify", reverse("reports:signature_verify")),
    ]:
        look(page, live_server, url, f"reviewer-{name}", axe, found)

    sign_in(page, live_server, leader.username)
    look(page, live_server, reverse("reports:dashboard"), "leader-dashboard", axe, found)

    assert not found, "\n".join(f"{page}: {problem}" for page, problems in found.items() for problem in problems)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_agencys_report_list_puts_its_compose_link_on_the_screen(
    page, live_server, plan, district, district_staff
):
    """A commune clerk's home page on a phone: the table had scrolled inside itself with "Soạn" beyond the
    screen's right edge (seen on make run at 390 px). Each report is now a card, the link a full tap target."""
    cycle = open_cycle(plan)
    started(cycle, district, district_staff)
    sign_in(page, live_server, district_staff.username)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("reports:agency_detail", args=[district.pk]))
    compose = page.get_by_role("link", name="Soạn")
    box = compose.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert box["height"] >= 44
    # Each value keeps its column's name, drawn before it in the card.
    labels = page.eval_on_selector_all(
        "table.agency-cycles tbody tr:first-child td", "tds => tds.map(td => getComputedStyle(td, '::before').content)"
    )
    assert '"Hạn gửi: "' in labels and '"Trạng thái: "' in labels


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_inbox_opens_each_report_from_the_screen_and_pagers_read_as_a_row(
    page, live_server, plan, agency, agency_staff, agency_head, education_reviewer
):
    """Found on the national data set at 390 px: the inbox's "Mở" was beyond the screen's right edge, and the
    reminder log's pager was a bulleted list down the page (its style was the dashboard's only)."""
    import datetime

    from reports.models import ReminderDelivery

    cycle = open_cycle(plan)
    sent(cycle, agency, agency_staff, agency_head)
    for day in (27, 28):
        ReminderDelivery.objects.create(
            cycle=cycle,
            rule=plan.rules.get(code="don-vi-hang-nam"),
            agency=agency,
            offset_key=f"before-{30 - day}",
            planned_for=datetime.date(2026, 11, day),
        )
    sign_in(page, live_server, education_reviewer.username)
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("reports:reviewer_inbox"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "reviewer-inbox-cards-phone.png"), full_page=True)
    opening = page.get_by_role("link", name="Mở")
    box = opening.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    assert box["height"] >= 44
    page.goto(live_server.url + reverse("reports:reminder_log") + "?per_page=1")
    page.screenshot(path=str(SHOTS / "reviewer-reminder-log-pager-phone.png"), full_page=True)
    items = page.eval_on_selector_all(
        "ul.pagination li",
        "lis => lis.map(li => [li.getBoundingClientRect().top, getComputedStyle(li).listStyleType])",
    )
    assert len(items) >= 2
    assert len({round(top) for top, _style in items}) == 1 and {style for _top, style in items} == {"none"}, items
    # The page shown stands out from the links to the others: it differed only by aria-current.
    backgrounds = page.eval_on_selector_all(
        "ul.pagination .page-link",
        "links => links.map(a => [a.getAttribute('aria-current'), getComputedStyle(a).backgroundColor])",
    )
    shown = {colour for current, colour in backgrounds if current == "page"}
    others = {colour for current, colour in backgrounds if current != "page"}
    assert len(shown) == 1 and others and not shown & others, backgrounds
    assert page.locator('ul.pagination [aria-current="page"]').bounding_box()["height"] >= 44
