"""What the navigation shows a person: every flag comes from reports.permissions, the same rules the pages use."""

from __future__ import annotations

from types import SimpleNamespace

from django import template

from reports import permissions

register = template.Library()


@register.simple_tag
def nav_access(user) -> SimpleNamespace:
    agency_id = permissions.agency_id_of(user)
    return SimpleNamespace(
        my_agency=agency_id is not None and permissions.is_member_of_agency(user, agency_id),
        inbox=permissions.can_view_inbox(user),
        cycles=permissions.can_view_cycles(user),
        dashboard=permissions.can_view_dashboard(user),
        consolidated=permissions.can_download_consolidated_report(user),
        reminder_log=permissions.can_view_reminder_log(user),
        signing_settings=permissions.is_admin(user),
    )
