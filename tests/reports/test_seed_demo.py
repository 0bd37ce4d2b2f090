"""`make run`'s demo command: accounts only from here, never on a production configuration."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from agencies.models import Role
from reports.models import GeneratedReport, GeneratedReportKind, GeneratedReportStatus, Submission, SubmissionStatus

# The demo renders last year's consolidated report: its files go to the test's folder, not the checkout's var/.
pytestmark = pytest.mark.usefixtures("private_media")


def test_demo_refuses_to_run_when_debug_is_off(plan, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("seed_demo")
    assert not get_user_model().objects.filter(username="quantri").exists()


def test_demo_prints_one_working_account_per_role_and_builds_sample_reports(plan, settings, capsys, rf):
    settings.DEBUG = True
    call_command("seed_demo", "--year", "2026")
    out = capsys.readouterr().out
    lines = {line.split()[0]: line.split()[1] for line in out.splitlines() if line.startswith("  ")}
    roles = set()
    for username, password in lines.items():
        user = authenticate(rf.post("/dang-nhap/"), username=username, password=password)
        assert user is not None, username
        roles.add(user.membership.role)
    assert roles == {role.value for role in Role}
    statuses = set(Submission.objects.values_list("status", flat=True))
    assert {SubmissionStatus.ACCEPTED, SubmissionStatus.SUBMITTED, SubmissionStatus.DRAFT} <= statuses
    last_year = Submission.objects.filter(cycle__year=2025, status=SubmissionStatus.ACCEPTED)
    assert last_year.exists() and last_year.filter(is_late=False).exists()
    # Sample authors of agencies without a demo account cannot sign in.
    assert not any(u.has_usable_password() for u in get_user_model().objects.filter(username__startswith="mau."))
    # The city leader finds last year's consolidated report (a draft) ready to download.
    (consolidated,) = GeneratedReport.objects.filter(kind=GeneratedReportKind.CONSOLIDATED)
    assert consolidated.cycle.year == 2025 and consolidated.is_draft
    assert consolidated.status == GeneratedReportStatus.READY and consolidated.page_count > 1
    assert f"Báo cáo tổng hợp năm 2025 (dự thảo): đã xong, {consolidated.page_count} trang." in out


def test_demo_run_twice_resets_passwords_and_adds_no_reports(plan, settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo", "--year", "2026")
    count = Submission.objects.count()
    call_command("seed_demo", "--year", "2026")
    assert Submission.objects.count() == count


def test_every_printed_agency_account_has_a_draft_of_this_year_and_last_years_dates_belong_to_last_year(
    plan, settings, capsys
):
    """Issue 12: both demo districts' reports used to be accepted already, and 2025 reports said "Chấp nhận
    30/11/2026"."""
    from agencies.models import Membership
    from reports.models import Notification, NotificationMail, SubmissionEvent

    settings.DEBUG = True
    call_command("seed_demo", "--year", "2026")
    printed = [line.split()[0] for line in capsys.readouterr().out.splitlines() if line.startswith("  ")]
    agencies = set(
        Membership.objects.filter(user__username__in=printed, role__in=[Role.STAFF, Role.HEAD]).values_list(
            "agency_id", flat=True
        )
    )
    assert len(agencies) >= 4
    for agency_id in agencies:
        assert Submission.objects.get(cycle__year=2026, agency_id=agency_id).status == SubmissionStatus.DRAFT
    # Other agencies show every state.
    assert {SubmissionStatus.ACCEPTED, SubmissionStatus.SUBMITTED, SubmissionStatus.RETURNED} <= set(
        Submission.objects.filter(cycle__year=2026).values_list("status", flat=True)
    )
    for event in SubmissionEvent.objects.filter(submission__cycle__year=2025):
        assert event.at.year == 2025, (event.kind, event.at)
    # Names the Vietnamese way, and no sample mail queued.
    assert get_user_model().objects.get(username="lechan.canbo").get_full_name() == "Vũ Thị Chân"
    assert get_user_model().objects.get(username="quantri").get_full_name() == "Đỗ Thị Quyên"
    assert not Notification.objects.filter(mail_status=NotificationMail.PENDING).exists()


def test_the_demo_names_the_consolidated_reports_signer_so_a_final_report_can_be_issued(plan, settings, capsys):
    # Under `make run` the final consolidated report stopped at "Hồ sơ ban hành chưa có họ tên người ký".
    from reports.documents.numbering import default_issuer_profile

    settings.DEBUG = True
    call_command("seed_demo", "--year", "2026")
    profile = default_issuer_profile()
    assert profile.signer_name == "Phan Văn Đức" and profile.signer_title == "PHÓ GIÁM ĐỐC"
    profile.signer_name = "Người ký do quản trị đặt"
    profile.save()
    call_command("seed_demo", "--year", "2026")
    assert default_issuer_profile().signer_name == "Người ký do quản trị đặt"  # never overwritten
