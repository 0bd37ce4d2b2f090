"""Where each role starts after signing in, and what every page's navigation asks of the person."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce
from django.urls import reverse

from agencies.models import Role
from reports import permissions
from reports.models import Notification

# The name under which the number of unread notifications is loaded with the person (reports.templatetags).
UNREAD_NOTIFICATIONS = "unread_notifications"


def user_annotations() -> dict[str, Combinable]:
    """Loaded with the signed-in person in the one query of agencies.backends (settings.USER_ANNOTATIONS), since
    every page's navigation asks them: the number of notifications they have not read, and whether their agency
    first receives the agencies' reports (`permissions.sees_everything`). Two queries fewer on every page."""
    unread = (
        Notification.objects.unread()
        .filter(user_id=OuterRef("pk"))
        .order_by()
        .values("user_id")
        .annotate(number=Count("pk"))
        .values("number")
    )
    consolidator = Exists(permissions.receives_reports_first(OuterRef("membership__agency_id")))
    return {UNREAD_NOTIFICATIONS: Coalesce(Subquery(unread), 0), permissions.RECEIVES_REPORTS_FIRST: consolidator}


def unread_notifications(user) -> int:
    """The number of notifications the person has not read: as loaded with them, or counted."""
    if not getattr(user, "is_authenticated", False):
        return 0
    loaded: int | None = getattr(user, UNREAD_NOTIFICATIONS, None)
    return Notification.objects.unread().filter(user=user).count() if loaded is None else loaded


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
