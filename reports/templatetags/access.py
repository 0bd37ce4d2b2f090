"""Template tags that ask reports.permissions what the signed-in person may see (the nav's "Tổng hợp" link)."""

from __future__ import annotations

from django import template

from reports.permissions import can_view_dashboard

register = template.Library()


@register.simple_tag
def may_view_dashboard(user) -> bool:
    return can_view_dashboard(user)
