"""Locking a cycle's figures (khóa số liệu): who may lock and unlock, what a lock stops, what it leaves, and what
the cycle page shows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reports import permissions
from reports.cycles.services import cycle_lock, cycle_unlock
from reports.errors import WorkflowError
from reports.models import CycleEvent, CycleEventKind, CycleStatus, SubmissionStatus
from reports.submissions.checks import ensure_editable
from reports.submissions.evidence import evidence_add
from reports.submissions.reviews import review_accept, review_return
from reports.submissions.services import submission_save, submission_start, submission_submit
from tests.reports.submission_helpers import PDF, fill_progress, open_cycle, sent, started, upload

pytestmark = pytest.mark.django_db

LOCKED_TEXT = "Kỳ báo cáo năm 2026 đã khóa số liệu"


@pytest.fixture
def cycle(plan):
    return open_cycle(plan)


@pytest.fixture
def draft(cycle, agency, agency_staff):
    return started(cycle, agency, agency_staff)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- the services ---------------------------------------------------------------------------------------------


def test_reviewer_of_the_consolidator_locks_an_open_cycle_and_the_lock_is_logged(cycle, education_reviewer):
    cycle_lock(cycle=cycle, by=education_reviewer)
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.LOCKED and cycle.locked_at is not None
    event = CycleEvent.objects.get(cycle=cycle)
    assert (event.kind, event.actor) == (CycleEventKind.LOCKED, education_reviewer)


def test_a_locked_cycle_cannot_be_locked_again(cycle, education_reviewer, administrator):
    cycle_lock(cycle=cycle, by=education_reviewer)
    with pytest.raises(WorkflowError, match="đã khóa số liệu từ trước"):
        cycle_lock(cycle=cycle, by=administrator)
    assert CycleEvent.objects.filter(cycle=cycle).count() == 1


def test_unlocking_needs_a_reason_and_a_locked_cycle(cycle, education_reviewer, administrator):
    with pytest.raises(WorkflowError, match="đang mở, không cần mở khóa"):
        cycle_unlock(cycle=cycle, by=administrator, reason="Sửa số liệu")
    cycle_lock(cycle=cycle, by=education_reviewer)
    with pytest.raises(WorkflowError, match="Xin ghi rõ lý do mở khóa"):
        cycle_unlock(cycle=cycle, by=administrator, reason="   ")
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.LOCKED

    cycle_unlock(cycle=cycle, by=administrator, reason="Sở Nội vụ bổ sung số liệu quý IV")
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.OPEN and cycle.locked_at is None
    last = CycleEvent.objects.filter(cycle=cycle).latest("at", "pk")
    assert (last.kind, last.actor, last.reason) == (
        CycleEventKind.UNLOCKED,
        administrator,
        "Sở Nội vụ bổ sung số liệu quý IV",
    )


@pytest.mark.parametrize("person", ["agency_staff", "agency_head", "labour_reviewer", "leader", "outsider"])
def test_only_the_consolidators_reviewers_and_administrators_may_lock(request, cycle, person):
    user = request.getfixturevalue(person)
    assert not permissions.can_lock_cycle(user)
    with pytest.raises(WorkflowError):
        cycle_lock(cycle=cycle, by=user)
    cycle.refresh_from_db()
    assert cycle.is_open and not CycleEvent.objects.exists()


def test_the_consolidators_reviewer_and_the_administrator_may_lock(education_reviewer, administrator):
    assert permissions.can_lock_cycle(education_reviewer) and permissions.can_lock_cycle(administrator)


# --- what a lock stops and what it leaves ---------------------------------------------------------------------


def test_a_locked_cycle_makes_every_report_read_only_for_the_agency(
    client, cycle, draft, agency, agency_staff, agency_head, education_reviewer
):
    cycle_lock(cycle=cycle, by=education_reviewer)
    draft.refresh_from_db()
    # The people are the same; the state is what refuses: the page shows neither button, the services refuse.
    client.force_login(agency_head)
    page = client.get(reverse("reports:submission_detail", args=[draft.pk]))
    assert not page.context["can_edit"] and not page.context["can_send"]
    with pytest.raises(WorkflowError, match=LOCKED_TEXT):
        ensure_editable(draft, agency_staff)
    with pytest.raises(WorkflowError, match=LOCKED_TEXT):
        submission_save(
            submission=draft, by=agency_staff, version=draft.version, general={"assessment": "Mới"}, tasks={}
        )
    fill_progress(draft)
    with pytest.raises(WorkflowError, match=LOCKED_TEXT):
        submission_submit(submission=draft, by=agency_head)
    with pytest.raises(WorkflowError, match=LOCKED_TEXT):
        evidence_add(submission=draft, by=agency_staff, upload=upload("minh-chung.pdf", PDF))
    draft.refresh_from_db()
    assert draft.status == SubmissionStatus.DRAFT and draft.assessment == ""


def test_no_report_can_be_started_in_a_locked_cycle(cycle, other_agency, other_agency_staff, education_reviewer):
    cycle = cycle_lock(cycle=cycle, by=education_reviewer)
    with pytest.raises(WorkflowError, match=LOCKED_TEXT):
        submission_start(cycle=cycle, agency=other_agency, by=other_agency_staff)


def test_unlocking_gives_the_agency_its_report_back(cycle, draft, agency_staff, education_reviewer):
    cycle_lock(cycle=cycle, by=education_reviewer)
    cycle_unlock(cycle=cycle, by=education_reviewer, reason="Đơn vị xin bổ sung")
    draft.refresh_from_db()
    ensure_editable(draft, agency_staff)
    assert permissions.can_edit_submission(agency_staff, draft)


def test_reviewers_accept_but_do_not_return_reports_of_a_locked_cycle(
    cycle, agency, agency_staff, agency_head, district, district_staff, district_head, education_reviewer
):
    first = sent(cycle, agency, agency_staff, agency_head)
    second = sent(cycle, district, district_staff, district_head)
    cycle_lock(cycle=cycle, by=education_reviewer)
    with pytest.raises(WorkflowError, match="xin mở khóa kỳ báo cáo trước khi trả lại"):
        review_return(submission=first, reviewer=education_reviewer, reason="Bổ sung số liệu")
    first.refresh_from_db()
    assert first.status == SubmissionStatus.SUBMITTED
    # Accepting changes no figure: the consolidator may still finish its reviews on locked data.
    assert review_accept(submission=second, reviewer=education_reviewer).status == SubmissionStatus.ACCEPTED


# --- the pages ------------------------------------------------------------------------------------------------


def test_reviewer_locks_from_the_cycle_page_and_the_page_says_who_and_when(client, cycle, education_reviewer):
    client.force_login(education_reviewer)
    url = reverse("reports:cycle_detail", args=[cycle.pk])
    html = client.get(url).content.decode()
    assert 'id="lock-form"' in html and "csrfmiddlewaretoken" in html and "data-confirm=" in html
    response = client.post(reverse("reports:cycle_lock", args=[cycle.pk]), follow=True)
    assert response.redirect_chain[-1][0] == url
    assert "Đã khóa số liệu kỳ báo cáo năm 2026" in " ".join(messages_of(response))
    html = response.content.decode()
    assert "Khóa bởi Trần Thị Thẩm lúc" in html and 'id="unlock-form"' in html and 'id="lock-form"' not in html


def test_unlock_from_the_page_without_a_reason_keeps_the_lock(client, cycle, education_reviewer, administrator):
    cycle_lock(cycle=cycle, by=education_reviewer)
    client.force_login(administrator)
    response = client.post(reverse("reports:cycle_unlock", args=[cycle.pk]), {"reason": ""}, follow=True)
    assert "Xin ghi rõ lý do mở khóa số liệu." in messages_of(response)
    cycle.refresh_from_db()
    assert not cycle.is_open
    response = client.post(reverse("reports:cycle_unlock", args=[cycle.pk]), {"reason": "Bổ sung"}, follow=True)
    assert "Đã mở khóa số liệu kỳ báo cáo năm 2026" in " ".join(messages_of(response))
    assert "Mở khóa số liệu · Đỗ Thị Quyên: Bổ sung" in response.content.decode()


def test_agency_staff_sees_the_lock_but_no_button(client, cycle, agency_staff, education_reviewer):
    cycle_lock(cycle=cycle, by=education_reviewer)
    client.force_login(agency_staff)
    html = client.get(reverse("reports:cycle_detail", args=[cycle.pk])).content.decode()
    assert "Đã khóa số liệu" in html and "Khóa bởi" in html
    assert 'id="unlock-form"' not in html and 'id="lock-form"' not in html


def test_in_a_locked_cycle_the_agency_is_sent_to_the_read_only_report_and_reviewers_still_read_it(
    client, cycle, draft, agency_staff, education_reviewer
):
    cycle_lock(cycle=cycle, by=education_reviewer)
    client.force_login(agency_staff)
    response = client.get(reverse("reports:submission_edit", args=[draft.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("reports:submission_detail", args=[draft.pk])
    assert any(LOCKED_TEXT in m for m in messages_of(response))
    assert "Sửa báo cáo" not in response.content.decode()
    client.force_login(education_reviewer)
    assert client.get(reverse("reports:submission_detail", args=[draft.pk])).status_code == 200
