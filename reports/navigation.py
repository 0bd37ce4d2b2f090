"""Where each role starts after signing in."""

from __future__ import annotations

from django.urls import reverse

from agencies.models import Role
from reports import permissions


def start_page_for(user) -> str | None:
    """Staff and heads land on their agency's page (what they owe, and its state); reviewers on their inbox;
    leaders on the dashboard (where the plan stands this year). Administrators keep the plan page."""
    role, agency_id = permissions.role_of(user), permissions.agency_id_of(user)
    if role in (Role.STAFF, Role.HEAD) and agency_id is not None:
        return reverse("reports:agency_detail", args=[agency_id])
    if role == Role.REVIEWER:
        return reverse("reports:reviewer_inbox")
    if role == Role.LEADER and permissions.can_view_dashboard(user):
        return reverse("reports:dashboard")
    return None
