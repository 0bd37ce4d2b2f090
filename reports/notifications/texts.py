"""The wording of workflow notifications, shared by the notices (services) and their mails (delivery)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from reports.models import NotificationKind


def notification_subject(*, kind: str, agency_name: str, year: int, actor_agency_name: str = "") -> str:
    """The one-line title of a notice, in the active language (mails render it again in the reader's)."""
    values = {"agency": agency_name, "year": year, "by": actor_agency_name}
    titles = {
        NotificationKind.SUBMITTED: _("%(agency)s đã gửi báo cáo năm %(year)s"),
        NotificationKind.RETURNED: _("Báo cáo năm %(year)s của %(agency)s bị trả lại"),
        NotificationKind.ACCEPTED: _("Báo cáo năm %(year)s của %(agency)s đã được chấp nhận"),
        NotificationKind.ACKNOWLEDGED: _("%(by)s đã tiếp nhận báo cáo năm %(year)s của %(agency)s"),
        NotificationKind.COMMENTED: _("Có ý kiến mới về báo cáo năm %(year)s của %(agency)s"),
        NotificationKind.REOPENED: _("Báo cáo năm %(year)s của %(agency)s được mở lại để sửa"),
        NotificationKind.CYCLE_LOCKED: _("Kỳ báo cáo năm %(year)s đã khóa số liệu: báo cáo của %(agency)s"),
        NotificationKind.CYCLE_UNLOCKED: _(
            "Kỳ báo cáo năm %(year)s đã mở khóa số liệu: báo cáo của %(agency)s sửa và gửi được trở lại"
        ),
    }
    return titles[NotificationKind(kind)] % values


def notification_title(notification) -> str:
    """The title of a stored notice in the reader's active language. Notices are stored in Vietnamese; workflow
    ones are worded again from their kind and report (a reminder's digest title stays as stored)."""
    submission = notification.submission
    if submission is None or notification.kind == NotificationKind.REMINDER:
        return notification.subject
    by = ""
    if notification.kind == NotificationKind.ACKNOWLEDGED:
        # The stored title begins with the acknowledging agency's short name, a proper noun in every language.
        marker = " đã tiếp nhận "
        by = notification.subject.split(marker, 1)[0] if marker in notification.subject else ""
    return notification_subject(
        kind=notification.kind,
        agency_name=submission.agency.short_name,
        year=submission.cycle.year,
        actor_agency_name=by,
    )
