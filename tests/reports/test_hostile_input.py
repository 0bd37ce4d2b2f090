"""Issue 14's three classes of 500, each as a request: a NUL in a reviewer's text, Unicode digits where an id or a
version goes, and a version at the top of the integer column. Each is refused with a Vietnamese sentence and
changes nothing. Also: one text limit, the one the browser's maxlength enforces, with its counter."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reports.inputs import INT_MAX, AsciiIntegerField, PlainTextField, parse_id
from reports.models import CycleStatus, Evidence, Submission, SubmissionEvent, SubmissionStatus
from reports.submissions.checks import TEXT_MAX
from tests.reports.submission_helpers import PNG, accepted, edit_post, open_cycle, sent, started, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(plan):
    return open_cycle(plan)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def rows(submission: Submission) -> tuple:
    """The report as stored: its row, its events and its evidence."""
    return (
        Submission.objects.filter(pk=submission.pk).values().get(),
        list(SubmissionEvent.objects.filter(submission=submission).values_list("pk", "kind", "message")),
        list(Evidence.objects.filter(submission=submission).values_list("pk", flat=True)),
    )


CONTROL_TEXT = "Lý do\x00 trả lại"


@pytest.mark.parametrize(("url_name", "field"), [("submission_return", "reason"), ("submission_accept", "comment")])
def test_a_nul_in_a_reviewers_text_is_refused_with_a_message_and_changes_nothing(
    client, cycle, agency, agency_staff, agency_head, education_reviewer, url_name, field
):
    submission = sent(cycle, agency, agency_staff, agency_head)
    before = rows(submission)
    client.force_login(education_reviewer)
    response = client.post(reverse(f"reports:{url_name}", args=[submission.pk]), {field: CONTROL_TEXT}, follow=True)
    assert response.status_code == 200
    assert any("ký tự điều khiển" in m for m in messages_of(response)), messages_of(response)
    assert rows(submission) == before and before[0]["status"] == SubmissionStatus.SUBMITTED


def test_a_bell_character_in_the_reopen_reason_is_refused(
    client, cycle, agency, agency_staff, agency_head, education_reviewer, administrator
):
    submission = accepted(cycle, agency, agency_staff, agency_head, education_reviewer)
    before = rows(submission)
    client.force_login(administrator)
    response = client.post(
        reverse("reports:submission_reopen", args=[submission.pk]), {"reason": "Sửa\x07 số liệu"}, follow=True
    )
    assert any("ký tự điều khiển" in m for m in messages_of(response))
    assert rows(submission) == before


def test_a_nul_in_the_unlock_reason_keeps_the_cycle_locked(client, cycle, education_reviewer):
    cycle.status = CycleStatus.LOCKED
    cycle.save(update_fields=["status"])
    client.force_login(education_reviewer)
    response = client.post(reverse("reports:cycle_unlock", args=[cycle.pk]), {"reason": "\x00"}, follow=True)
    assert any("ký tự điều khiển" in m for m in messages_of(response))
    cycle.refresh_from_db()
    assert cycle.status == CycleStatus.LOCKED and not cycle.events.exists()


def test_unicode_digits_in_the_send_version_are_a_400(client, cycle, agency, agency_staff, agency_head):
    submission = started(cycle, agency, agency_staff)
    submission.task_reports.update(progress="in_progress")
    before = rows(submission)
    client.force_login(agency_head)
    response = client.post(reverse("reports:submission_send", args=[submission.pk]), {"version": "²"})
    assert response.status_code == 400
    assert "Phiên bản không hợp lệ" in response.content.decode()
    assert rows(submission) == before


def test_unicode_digits_in_the_rule_on_start_are_a_400(client, cycle, agency, agency_staff):
    client.force_login(agency_staff)
    response = client.post(reverse("reports:submission_start", args=[cycle.pk]), {"rule": "²"})
    assert response.status_code == 400 and "Quy định báo cáo không hợp lệ." in response.content.decode()
    assert not Submission.objects.exists()


def test_unicode_digits_in_remove_evidence_are_a_400_and_nothing_is_saved(client, cycle, agency, agency_staff):
    submission = started(cycle, agency, agency_staff)
    before = rows(submission)
    client.force_login(agency_staff)
    data = edit_post(submission, assessment="Đánh giá mới", remove_evidence="²")
    response = client.post(reverse("reports:submission_edit", args=[submission.pk]), data)
    assert response.status_code == 400 and "minh chứng cần xóa không đúng định dạng" in response.content.decode()
    assert rows(submission) == before


def test_a_file_under_a_unicode_digit_name_is_refused_and_nothing_is_saved(client, cycle, agency, agency_staff):
    submission = started(cycle, agency, agency_staff)
    before = rows(submission)
    client.force_login(agency_staff)
    data = edit_post(submission, assessment="Đánh giá mới", **{"evidence-²": upload("anh.png", PNG)})
    response = client.post(reverse("reports:submission_edit", args=[submission.pk]), data, follow=True)
    assert response.status_code == 200
    assert any("Tệp tải lên không gắn với nhiệm vụ nào của báo cáo." in m for m in messages_of(response))
    assert rows(submission) == before


@pytest.mark.parametrize("version", [str(INT_MAX), str(INT_MAX + 1), "99999999999999999999999", "-1", "٣", "²"])
def test_a_version_out_of_range_or_not_ascii_is_refused_on_the_edit_page(client, cycle, agency, agency_staff, version):
    submission = started(cycle, agency, agency_staff)
    before = rows(submission)
    client.force_login(agency_staff)
    data = edit_post(submission, assessment="Đánh giá mới", version=version)
    response = client.post(reverse("reports:submission_edit", args=[submission.pk]), data)
    assert response.status_code == 200
    assert "Phiên bản không hợp lệ; xin tải lại trang." in response.content.decode()
    assert rows(submission) == before


def test_the_edit_page_limits_text_as_the_server_does_and_counts_it(client, cycle, agency, agency_staff):
    submission = started(cycle, agency, agency_staff)
    client.force_login(agency_staff)
    html = client.get(reverse("reports:submission_edit", args=[submission.pk])).content.decode()
    assert f'name="assessment" cols="40" rows="6" maxlength="{TEXT_MAX}"' in html
    assert "js/char_counter.js" in html and 'data-format="%(used)s/%(max)s ký tự"' in html


def test_a_text_the_browser_lets_through_is_accepted_line_ends_counted_once(client, cycle, agency, agency_staff):
    """The browser's maxlength counts a line end as one character; the body it sends has "\\r\\n"."""
    submission = started(cycle, agency, agency_staff)
    client.force_login(agency_staff)
    text = ("Dòng một\n" * (TEXT_MAX // 9 + 1))[: TEXT_MAX - 1] + "."
    assert len(text) == TEXT_MAX
    data = edit_post(submission, assessment=text.replace("\n", "\r\n"))
    response = client.post(reverse("reports:submission_edit", args=[submission.pk]), data, follow=True)
    assert "Đã lưu nháp." in messages_of(response)
    submission.refresh_from_db()
    assert submission.assessment == text.strip()
    data = edit_post(submission, assessment="x" * (TEXT_MAX + 1))
    response = client.post(reverse("reports:submission_edit", args=[submission.pk]), data)
    assert "vượt giới hạn 20000 ký tự" in response.content.decode()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        ("2147483647", 2147483647),
        ("0", None),
        ("-1", None),
        ("²", None),
        ("٣", None),
        ("1 ", None),
        ("", None),
        ("9" * 20, None),
        (None, None),
    ],
)
def test_ids_are_ascii_digits_within_range(value, expected):
    assert parse_id(value) == expected


def test_the_form_fields_refuse_what_djangos_own_accept():
    from django import forms
    from django.core.exceptions import ValidationError

    assert forms.IntegerField().clean("٣") == 3  # Django's: any Unicode digit
    with pytest.raises(ValidationError):
        AsciiIntegerField().clean("٣")
    with pytest.raises(ValidationError):
        AsciiIntegerField().clean(str(INT_MAX + 1))
    assert forms.CharField().clean("a\x07b") == "a\x07b"  # Django's: every control character but NUL
    with pytest.raises(ValidationError, match="ký tự điều khiển"):
        PlainTextField().clean("a\x07b")
    # NFC and "\n" line ends, as stored; tab and line ends are text.
    assert PlainTextField().clean("Hoa\u0300\r\nb\tc") == "Hoà\nb\tc"
