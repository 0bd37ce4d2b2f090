"""The reminder log (reviewers, administrators) and the notifications page (everyone signed in)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency
from hptracker.paging import CappedPaginator
from reports.models import Notification, ReminderDelivery, ReminderDeliveryStatus
from reports.reminders.planning import ReminderPolicy, reminder_slots
from reports.reminders.workdays import WorkCalendar
from tests.reports.reminder_helpers import YEARLY, open_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_rows(plan):
    cycle = open_cycle(plan)
    rule = plan.rules.get(code=YEARLY)
    snv, catp = Agency.objects.get(code="SNV"), Agency.objects.get(code="CATP")
    ReminderDelivery.objects.create(
        cycle=cycle,
        rule=rule,
        agency=snv,
        offset_key="before-1",
        planned_for=datetime.date(2026, 11, 27),
        status=ReminderDeliveryStatus.SENT,
        recipients=[{"email": "snv.canbo@example.vn", "kind": "to"}, {"email": "snv.lanhdao@example.vn", "kind": "cc"}],
    )
    ReminderDelivery.objects.create(
        cycle=cycle,
        rule=rule,
        agency=catp,
        offset_key="before-1",
        planned_for=datetime.date(2026, 11, 27),
        status=ReminderDeliveryStatus.FAILED,
        error="Máy chủ thư từ chối: catp.canbo@example.vn",
    )
    return cycle


def test_a_reviewer_reads_the_reminder_log_and_filters_it(client, education_reviewer, log_rows):
    client.force_login(education_reviewer)
    page = client.get(reverse("reports:reminder_log")).content.decode()
    assert "Nhật ký nhắc hạn" in page and "Gửi lỗi" in page
    assert "cc: snv.lanhdao@example.vn" in page and "Máy chủ thư từ chối" in page
    failed = client.get(reverse("reports:reminder_log"), {"status": "failed"}).content.decode()
    assert "catp.canbo@example.vn" in failed and "snv.canbo@example.vn" not in failed
    # The unit by name, in any case (a select of every unit was 3,000 options nationally).
    by_agency = client.get(reverse("reports:reminder_log"), {"agency": "NỘI VỤ", "cycle": log_rows.pk}).content.decode()
    assert "snv.canbo@example.vn" in by_agency and "catp.canbo@example.vn" not in by_agency
    assert 'name="agency"' in by_agency and '<select name="agency"' not in by_agency
    # A filter that keeps nothing says so, not that no reminder was ever sent.
    nothing = client.get(reverse("reports:reminder_log"), {"agency": "không có đơn vị này"}).content.decode()
    assert "Không có lượt nhắc nào khớp điều kiện lọc." in nothing and "Chưa có lượt nhắc hạn nào." not in nothing


def test_the_reminder_log_names_each_milestone_in_the_readers_words(client, education_reviewer, log_rows):
    """The log said "before-7", "due", "overdue-3": the keys the planner stores. Each slot the planner makes for a
    deadline is shown in words, in Vietnamese and in English."""
    rule, catp = log_rows.plan.rules.get(code=YEARLY), Agency.objects.get(code="CATP")
    policy = ReminderPolicy(offsets_before=(7,), overdue_every=3, overdue_max_count=1, catch_up_working_days=0)
    slots = reminder_slots(due_on=datetime.date(2026, 11, 30), calendar=WorkCalendar(), policy=policy)
    assert [slot.offset_key for slot in slots] == ["before-7", "due", "overdue-3"]
    for slot in slots:
        ReminderDelivery.objects.create(
            cycle=log_rows, rule=rule, agency=catp, offset_key=slot.offset_key, planned_for=slot.planned_for
        )
    client.force_login(education_reviewer)
    page = client.get(reverse("reports:reminder_log"), {"agency": "công an"}).content.decode()
    for words in ("Trước hạn 7 ngày làm việc", "Ngày đến hạn", "Quá hạn 3 ngày làm việc"):
        assert re.search(rf"<td[^>]*>{words}</td>", page), words
    for key in ("before-7", ">due<", "overdue-3"):
        assert key not in page, key
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(reverse("reports:reminder_log"), {"agency": "công an"})
    for words in ("7 working days before the deadline", "Deadline day", "3 working days overdue"):
        assert words in english.content.decode(), words


def test_the_reminder_log_page_costs_a_fixed_number_of_queries(client, administrator, log_rows, plan):
    """Whatever the number of cycles (each named after its plan) and of units: nationally the page ran five
    more queries than in the city, one per cycle of the filter."""
    client.force_login(administrator)

    def page_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("reports:reminder_log")).status_code == 200
        return len(queries)

    before = page_queries()
    for year in range(2030, 2036):
        open_cycle(plan, year)
    assert page_queries() == before <= 12


def test_the_reminder_log_goes_no_deeper_than_its_page_cap_and_says_so(client, education_reviewer, plan, monkeypatch):
    """Nationally ten years of reminders are 89,000 deliveries: past page MAX_PAGES the log shows that page and
    says to filter; its total still counts every delivery."""
    cycle = open_cycle(plan)
    rule = plan.rules.get(code=YEARLY)
    for agency in Agency.objects.order_by("pk")[:12]:
        ReminderDelivery.objects.create(
            cycle=cycle, rule=rule, agency=agency, offset_key="before-1", planned_for=datetime.date(2026, 11, 27)
        )
    monkeypatch.setattr(CappedPaginator, "max_pages", 2)
    client.force_login(education_reviewer)
    deep = client.get(reverse("reports:reminder_log"), {"per_page": 5, "page": 3})
    assert deep.context["table"].page.number == 2 and deep.context["total"] == 12
    assert 'id="page-cap"' in deep.content.decode()
    assert "Trang 3 nằm ngoài giới hạn; đây là trang 2, trang cuối cùng xem được." in deep.content.decode()
    first = client.get(reverse("reports:reminder_log"), {"per_page": 5})
    assert 'id="page-cap"' not in first.content.decode()


def test_agency_staff_cannot_read_the_reminder_log(client, agency_staff, log_rows):
    client.force_login(agency_staff)
    assert client.get(reverse("reports:reminder_log")).status_code == 403
    client.logout()
    assert client.get(reverse("reports:reminder_log")).status_code == 302


def test_the_nav_links_the_log_for_reviewers_only_and_shows_the_unread_count_to_everyone(
    client, agency_staff, education_reviewer, plan
):
    Notification.objects.create(user=agency_staff, subject="Nhắc hạn 1")
    Notification.objects.create(user=agency_staff, subject="Nhắc hạn 2")
    client.force_login(agency_staff)
    page = client.get(reverse("reports:notifications")).content.decode()
    assert "Thông báo (2)" in page and reverse("reports:reminder_log") not in page
    client.force_login(education_reviewer)
    page = client.get(reverse("reports:notifications")).content.decode()
    assert "Thông báo (0)" in page and reverse("reports:reminder_log") in page


@pytest.mark.parametrize("reader", ["education_reviewer", "labour_reviewer", "agency_staff"])
def test_the_nav_is_answered_by_the_query_that_loads_the_person(client, plan, request, reader):
    # The unread count and whether the person's agency first receives the reports (the link to the consolidated
    # reports: the Sở GD&ĐT's reviewers, not the Sở LĐTB&XH's) come with
    # the person (agencies.backends, reports.navigation): no page asks them again, and they stay right.
    user = request.getfixturevalue(reader)
    for n in range(3):
        Notification.objects.create(user=user, subject=f"Nhắc {n}")
    Notification.objects.create(user=user, subject="Đã đọc", read_at=timezone.now())
    client.force_login(user)
    url = reverse("plans:plan_list")
    client.get(url)
    with CaptureQueriesContext(connection) as page_queries:
        page = client.get(url).content.decode()
    assert "Thông báo (3)" in page
    assert (reverse("reports:consolidated_reports") in page) is (reader == "education_reviewer")
    asked_alone = [
        query["sql"]
        for query in page_queries.captured_queries
        if query["sql"].startswith(('SELECT COUNT(*) AS "__count" FROM "reports_notification"', "SELECT 1 AS"))
    ]
    assert asked_alone == []
    client.post(reverse("reports:notification_read", args=[Notification.objects.unread().filter(user=user)[0].pk]))
    assert "Thông báo (2)" in client.get(url).content.decode()


def test_a_user_sees_and_marks_read_only_their_own_notifications(client, agency_staff, other_agency_staff):
    mine = Notification.objects.create(user=agency_staff, subject="Của tôi")
    theirs = Notification.objects.create(user=other_agency_staff, subject="Của người khác")
    client.force_login(agency_staff)
    page = client.get(reverse("reports:notifications")).content.decode()
    assert "Của tôi" in page and "Của người khác" not in page
    assert client.post(reverse("reports:notification_read", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("reports:notification_read", args=[mine.pk]))
    assert response.status_code == 302
    mine.refresh_from_db(), theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None
    assert client.get(reverse("reports:notification_read", args=[mine.pk])).status_code == 405


def test_mark_all_read(client, agency_staff):
    for n in range(3):
        Notification.objects.create(user=agency_staff, subject=f"Nhắc {n}")
    client.force_login(agency_staff)
    client.post(reverse("reports:notification_read_all"))
    assert not Notification.objects.filter(user=agency_staff, read_at__isnull=True).exists()
    assert "Thông báo (0)" in client.get(reverse("reports:notifications")).content.decode()


@pytest.mark.parametrize("sort", ["status", "-offset_key", "planned_for"])
def test_the_reminder_log_pages_show_each_delivery_once_whatever_it_is_sorted_by(
    client, education_reviewer, plan, sort
):
    """Sorted by a column that ties (status, the reminder's mark, its day), pages follow one total order
    (hptracker.paging.ListRows): a delivery never shows on two pages while another shows on none."""
    cycle = open_cycle(plan)
    rule = plan.rules.get(code=YEARLY)
    agencies = list(Agency.objects.order_by("pk")[:40])
    for number, agency in enumerate(agencies):
        ReminderDelivery.objects.create(
            cycle=cycle,
            rule=rule,
            agency=agency,
            offset_key=("before-1", "before-3", "after-1")[number % 3],
            planned_for=datetime.date(2026, 11, 24 + number % 3),
            status=(ReminderDeliveryStatus.SENT, ReminderDeliveryStatus.FAILED)[number % 2],
        )
    client.force_login(education_reviewer)
    shown = []
    for number in range(1, 9):  # 40 deliveries, 5 a page
        page = client.get(reverse("reports:reminder_log"), {"sort": sort, "per_page": 5, "page": number})
        shown += [row.record.pk for row in page.context["table"].page.object_list]
    assert sorted(shown) == sorted(ReminderDelivery.objects.values_list("pk", flat=True))
