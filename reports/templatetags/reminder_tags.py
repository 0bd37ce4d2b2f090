"""Navigation helpers for reminders: the unread count in the nav and whether to show the reminder log link.
A template tag rather than a context processor, so pages that never show the nav pay no query; the count is
loaded with the person (reports.navigation.user_annotations) and counted here only where it was not."""

from __future__ import annotations

from django import template

from reports.navigation import unread_notifications

register = template.Library()


@register.simple_tag
def unread_notification_count(user) -> int:
    return unread_notifications(user)
