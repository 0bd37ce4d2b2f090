"""The reviewer's inbox with the 2026 units: filters by what is to do, kind of unit and former district, and the
bulk acknowledgement of receipt."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Agency, Role
from reports.cycles.selectors import expected_submissions
from reports.models import Cycle, Receipt, Submission, SubmissionStatus
from reports.submissions.inbox import PAGE_SIZE
from tests.conftest import make_person
from tests.plans.reorganisation_helpers import apply, hai_phong_data
from tests.reports.submission_helpers import open_cycle, sent

pytestmark = pytest.mark.django_db
INBOX = "reports:reviewer_inbox"


@pytest.fixture
def reports_2026(plan):
    """Phường Lê Chân (land of quận Lê Chân and Ngô Quyền), Phường Hồng Bàng (Hồng Bàng and Ngô Quyền) and the
    Công an thành phố have sent their 2026 reports."""
    apply(hai_phong_data())
    cycle = open_cycle(plan, 2026)
    sent_reports = {}
    for code in ("P_11383", "P_11311", "CATP"):
        agency = Agency.objects.get(code=code)
        staff = make_person(f"{code.lower()}.canbo", Role.STAFF, agency)
        head = make_person(f"{code.lower()}.lanhdao", Role.HEAD, agency)
        sent_reports[code] = sent(cycle, agency, staff, head)
    return sent_reports


@pytest.fixture
def home_affairs_reviewer(plan):
    return make_person("snv.thamdinh", Role.REVIEWER, Agency.objects.get(code="SNV"))


def listed(response) -> set[str]:
    return {s.agency.code for s in response.context["submissions"]}


def test_the_inbox_filters_by_kind_and_former_district(client, reports_2026, education_reviewer):
    client.force_login(education_reviewer)
    url = reverse(INBOX)
    assert listed(client.get(url)) == {"P_11383", "P_11311", "CATP"}
    assert listed(client.get(url, {"kind": "commune"})) == {"P_11383", "P_11311"}
    le_chan, ngo_quyen = (Agency.objects.get(code=c).pk for c in ("Q_LECHAN", "Q_NGOQUYEN"))
    assert listed(client.get(url, {"former": le_chan})) == {"P_11383"}
    assert listed(client.get(url, {"former": ngo_quyen})) == {"P_11383", "P_11311"}
    assert listed(client.get(url, {"state": "review", "kind": "police"})) == {"CATP"}
    response = client.get(url, {"kind": "khong-co", "former": "abc"})  # ignored, never an error page
    assert response.status_code == 200 and listed(response) == {"P_11383", "P_11311", "CATP"}


def test_the_second_recipient_acknowledges_the_communes_reports_in_one_go(client, reports_2026, home_affairs_reviewer):
    """Since 1/3/2025 the Sở Nội vụ is the second recipient of the November review, in place of the Sở LĐTB&XH."""
    client.force_login(home_affairs_reviewer)
    response = client.get(reverse(INBOX), {"state": "acknowledge"})
    assert listed(response) == {"P_11383", "P_11311"}
    assert response.content.decode().count('name="submission"') == 2
    ids = [reports_2026["P_11383"].pk, reports_2026["P_11311"].pk]

    response = client.post(
        reverse("reports:inbox_acknowledge"), {"submission": ids, "filters": "state=acknowledge"}, follow=True
    )

    assert response.redirect_chain[-1][0] == reverse(INBOX) + "?state=acknowledge"
    assert "Đã xác nhận tiếp nhận 2 báo cáo." in [str(m) for m in response.context["messages"]]
    receipts = Receipt.objects.filter(submission_id__in=ids, recipient__code="SNV")
    assert receipts.count() == 2 and all(r.acknowledged_by == home_affairs_reviewer for r in receipts)
    assert listed(response) == set()
    # The Sở GD&ĐT's own receipts are untouched: each recipient acknowledges for itself.
    assert Receipt.objects.filter(submission_id__in=ids, recipient__code="SGDDT", acknowledged_at=None).count() == 2


def test_bulk_acknowledgement_reports_what_it_could_not_do_and_changes_nothing_else(
    client, reports_2026, home_affairs_reviewer
):
    client.force_login(home_affairs_reviewer)
    url = reverse("reports:inbox_acknowledge")
    ward, police = reports_2026["P_11383"], reports_2026["CATP"]
    client.post(url, {"submission": [ward.pk]}, follow=True)

    response = client.post(url, {"submission": [ward.pk, police.pk]}, follow=True)

    texts = [str(m) for m in response.context["messages"]]
    assert any(t.startswith("UBND phường Lê Chân: Đơn vị bạn đã tiếp nhận báo cáo này lúc") for t in texts), texts
    assert f"Không tìm thấy báo cáo số {police.pk}." in texts  # not addressed to the Sở Nội vụ
    assert not Receipt.objects.filter(submission=police, acknowledged_at__isnull=False).exists()
    response = client.post(url, {}, follow=True)
    assert "Xin chọn ít nhất một báo cáo để xác nhận tiếp nhận." in [str(m) for m in response.context["messages"]]
    before = list(Receipt.objects.order_by("pk").values_list("pk", "acknowledged_at"))
    assert client.post(url, {"submission": [reports_2026["P_11311"].pk, "x"]}).status_code == 400  # forged form
    assert list(Receipt.objects.order_by("pk").values_list("pk", "acknowledged_at")) == before


def test_staff_cannot_use_the_bulk_acknowledgement(client, reports_2026, agency_staff):
    client.force_login(agency_staff)
    response = client.post(reverse("reports:inbox_acknowledge"), {"submission": [reports_2026["CATP"].pk]})
    assert response.status_code == 403
    assert not Receipt.objects.filter(acknowledged_at__isnull=False).exists()


def waiting(plan, year: int, count: int, *, same_minute: bool = True) -> list[Submission]:
    """`count` units' reports of `year` waiting for the Sở GD&ĐT's review, half of them sent in the same minute
    (ties the order must break the same way on every page)."""
    cycle = Cycle.objects.filter(plan=plan, year=year).first() or open_cycle(plan, year)
    owed = expected_submissions(cycle=cycle)[:count]
    sent_at = datetime.datetime(year, 11, 20, 9, 0, tzinfo=datetime.UTC)
    made = Submission.objects.bulk_create(
        Submission(
            cycle=cycle,
            agency=expected.agency,
            rule=expected.rule,
            status=SubmissionStatus.SUBMITTED,
            submitted_at=sent_at if same_minute and n % 2 else sent_at + datetime.timedelta(minutes=n),
            first_submitted_at=sent_at,
        )
        for n, expected in enumerate(owed)
    )
    assert len(made) == count
    return made


def shown(response) -> list[int]:
    return [s.pk for s in response.context["submissions"]]


def test_the_inbox_shows_fifty_reports_a_page_oldest_first_each_report_once(client, plan, education_reviewer):
    """A national set's reviewer had 5,429 reports waiting on one page (1.3 MB, 1.1 s)."""
    apply(hai_phong_data())
    made = waiting(plan, 2026, 60)
    client.force_login(education_reviewer)
    first = client.get(reverse(INBOX), {"year": 2026})
    html = first.content.decode()
    assert len(shown(first)) == PAGE_SIZE and "60 báo cáo · đang xem 1–50" in html
    following = re.search(r'href="(\?[^"]*page=2[^"]*)" rel="next"', html)
    assert following and "year=2026" in following.group(1)  # the filters stay on the next page
    second = client.get(reverse(INBOX) + following.group(1).replace("&amp;", "&"))
    assert len(shown(second)) == 10 and "Trang 2/2" in second.content.decode()
    both = shown(first) + shown(second)
    expected = sorted(made, key=lambda s: (s.submitted_at, s.pk))
    assert both == [s.pk for s in expected]  # the oldest first, ties by number, none twice, none left out
    # A page number out of range shows the last page; a word shows the first; neither is an error.
    assert shown(client.get(reverse(INBOX), {"page": 99})) == shown(second)
    assert shown(client.get(reverse(INBOX), {"page": "trang-hai"})) == shown(first)


def test_the_inbox_runs_the_same_queries_for_ten_reports_as_for_sixty(client, plan, education_reviewer):
    apply(hai_phong_data())
    made = waiting(plan, 2026, 60)
    client.force_login(education_reviewer)
    client.get(reverse(INBOX))  # the session and the caches, once
    with CaptureQueriesContext(connection) as sixty:
        client.get(reverse(INBOX))
    Submission.objects.filter(pk__in=[s.pk for s in made[10:]]).delete()
    with CaptureQueriesContext(connection) as ten:
        assert len(shown(client.get(reverse(INBOX)))) == 10
    assert len(sixty) == len(ten) <= 10


def test_the_inbox_filters_by_cycle(client, plan, education_reviewer):
    apply(hai_phong_data())
    earlier, later = waiting(plan, 2025, 3, same_minute=False), waiting(plan, 2026, 4, same_minute=False)
    client.force_login(education_reviewer)
    assert set(shown(client.get(reverse(INBOX), {"year": 2025}))) == {s.pk for s in earlier}
    assert set(shown(client.get(reverse(INBOX), {"year": 2026}))) == {s.pk for s in later}
    response = client.get(reverse(INBOX), {"year": "hai-nghìn"})  # ignored, never an error page
    assert response.status_code == 200 and len(shown(response)) == 7
    assert '<option value="2026">2026</option>' in response.content.decode()


def test_the_bulk_acknowledgement_shows_only_where_a_row_of_the_page_can_take_it(
    client, reports_2026, education_reviewer
):
    """The button and "select all" showed on pages where no row had a box to tick (every receipt acknowledged, or
    none addressed to the reviewer's agency): a click only said "Xin chọn ít nhất một báo cáo"."""
    client.force_login(education_reviewer)
    page = client.get(reverse(INBOX)).content.decode()
    assert page.count('name="submission"') == 3
    assert 'id="inbox-select-all"' in page and "Xác nhận tiếp nhận các báo cáo đã chọn" in page
    Receipt.objects.filter(recipient__code="SGDDT").update(acknowledged_at=datetime.datetime.now(datetime.UTC))
    response = client.get(reverse(INBOX))
    page = response.content.decode()
    assert listed(response) == {"P_11383", "P_11311", "CATP"}  # still to review, nothing left to acknowledge
    assert 'name="submission"' not in page
    assert 'id="inbox-select-all"' not in page and "Xác nhận tiếp nhận các báo cáo đã chọn" not in page


def test_the_inbox_reads_its_list_once_for_both_the_count_and_the_page(client, plan, education_reviewer):
    """The ids of every waiting report, in order, give the count and the page: the COUNT and the page's sorted ids
    were two passes over the same filters (8 ms each nationally)."""
    apply(hai_phong_data())
    made = waiting(plan, 2026, 60)
    client.force_login(education_reviewer)
    client.get(reverse(INBOX))
    with CaptureQueriesContext(connection) as queries:
        second = client.get(reverse(INBOX), {"page": 2})
    assert "Trang 2/2" in second.content.decode() and "60 báo cáo" in second.content.decode()
    assert shown(second) == [s.pk for s in sorted(made, key=lambda s: (s.submitted_at, s.pk))][PAGE_SIZE:]
    listing = [q["sql"] for q in queries if 'FROM "reports_submission"' in q["sql"]]
    assert [sql for sql in listing if "COUNT(" in sql] == [] and len(listing) == 2  # the ids, then the page's rows
