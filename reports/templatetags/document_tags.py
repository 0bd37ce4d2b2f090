"""Whether the nav shows "Báo cáo tổng hợp": the same rule as the page itself."""

from __future__ import annotations

from django import template

from reports.permissions import can_download_consolidated_report

register = template.Library()


@register.simple_tag
def may_download_consolidated(user) -> bool:
    return can_download_consolidated_report(user)
