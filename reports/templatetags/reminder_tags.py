"""Navigation helpers for reminders: the unread count in the nav and whether to show the reminder log link.
A template tag rather than a context processor, so pages that never show the nav pay no query."""

from __future__ import annotations

from django import template

from reports.models import Notification

register = template.Library()


@register.simple_tag
def unread_notification_count(user) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
