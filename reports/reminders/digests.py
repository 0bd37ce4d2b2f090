"""What a reminder digest says and to whom: one mail per agency listing every report it owes, to its staff (to
its heads when it has no staff), with its heads in cc once a deadline has passed. The consolidated report's digest
goes to the consolidator's reviewers. Sending and the rows' state are `delivery`'s."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, replace

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from agencies.models import Agency, Membership, Role
from agencies.names import full_name
from reports.models import CycleDeadline, ReminderDelivery
from reports.reminders.workdays import WorkCalendar


@dataclass(frozen=True)
class DigestItem:
    rule_title: str
    subject: str
    year: int
    due_on: datetime.date
    overdue: bool
    days_late: int
    working_days_left: int
    # Where the person acts: their report, the page where they start it, or the consolidated reports' page.
    url: str = ""


@dataclass(frozen=True)
class Person:
    user_id: int
    email: str
    name: str
    role: str


def people_of(agency_ids: set[int]) -> dict[int, list[Person]]:
    return _addressable(agency_ids, roles=[Role.STAFF, Role.HEAD])


def reviewers_of(agency_ids: set[int]) -> dict[int, list[Person]]:
    """The consolidator's reviewers, as the addressees ("staff") of the consolidated report's reminders."""
    return _addressable(agency_ids, roles=[Role.REVIEWER], as_role=Role.STAFF)


def _addressable(agency_ids: set[int], *, roles: list[str], as_role: str | None = None) -> dict[int, list[Person]]:
    """Active members of the agencies in these roles who have an address, by agency, in name order."""
    found: dict[int, list[Person]] = defaultdict(list)
    memberships = (
        Membership.objects.filter(agency_id__in=agency_ids, role__in=roles, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user__first_name", "user__last_name", "user_id")
    )
    for m in memberships:
        if m.agency_id is not None:
            found[m.agency_id].append(Person(m.user_id, m.user.email.strip(), full_name(m.user), as_role or m.role))
    return found


def digest_items(
    rows: list[ReminderDelivery],
    deadlines: dict[tuple[int, int], CycleDeadline],
    today: datetime.date,
    calendar: WorkCalendar,
    links: dict[tuple[int, int, int], str] | None = None,
) -> list[DigestItem]:
    """One line per report owed; a retried older reminder and today's new one for the same report merge."""
    items: dict[tuple[int, int], DigestItem] = {}
    for row in rows:
        deadline = deadlines.get((row.cycle_id, row.rule_id))
        due_on = deadline.due_on if deadline else row.planned_for
        items[(row.cycle_id, row.rule_id)] = DigestItem(
            rule_title=row.rule.title,
            subject=row.rule.subject.replace("{year}", str(row.cycle.year)),
            year=row.cycle.year,
            due_on=due_on,
            overdue=today > due_on,
            days_late=max(0, (today - due_on).days),
            working_days_left=calendar.working_days_between(today, due_on),
            url=(links or {}).get((row.cycle_id, row.rule_id, row.agency_id), ""),
        )
    return sorted(items.values(), key=lambda i: (i.due_on, i.rule_title))


def addressees(people: list[Person], any_overdue: bool) -> tuple[list[Person], list[Person]]:
    staff = [p for p in people if p.role == Role.STAFF]
    heads = [p for p in people if p.role == Role.HEAD]
    if not staff:
        return heads, []
    return staff, (heads if any_overdue else [])


def unique(people: list[Person], exclude: frozenset[str] | set[str] = frozenset()) -> list[Person]:
    seen, kept = set(exclude), []
    for person in people:
        if person.email.lower() not in seen:
            seen.add(person.email.lower())
            kept.append(person)
    return kept


def digest_message(
    agency: Agency, items: list[DigestItem], to: list[Person], cc: list[Person]
) -> EmailMultiAlternatives:
    subject, text, html = _render(agency, items)
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, to=[p.email for p in to], cc=[p.email for p in cc]
    )
    message.attach_alternative(html, "text/html")
    return message


def _render(agency: Agency, items: list[DigestItem]) -> tuple[str, str, str]:
    base = settings.PORTAL_BASE_URL.rstrip("/")
    items = [replace(i, url=base + i.url) if i.url.startswith("/") else i for i in items]
    context = {
        "agency": agency,
        "due_soon": [i for i in items if not i.overdue],
        "overdue": [i for i in items if i.overdue],
        "count": len(items),
        "portal_url": base + reverse("home"),
        "notifications_url": base + reverse("reports:notifications"),
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("emails/reminder_digest_subject.txt", context).split())
        text = render_to_string("emails/reminder_digest.txt", context)
        html = render_to_string("emails/reminder_digest.html", context)
    return subject, text, html


def notice_body(items: list[DigestItem]) -> str:
    """The in-portal notice of a digest: one line per report."""
    return "\n".join(f"- {i.rule_title} — {i.due_on:%d/%m/%Y}" + (" (quá hạn)" if i.overdue else "") for i in items)


def notice_url(items: list[DigestItem]) -> str:
    """The report itself when the digest names one, else the agency's own page."""
    if len(items) == 1:
        base = settings.PORTAL_BASE_URL.rstrip("/")
        url = items[0].url
        return url[len(base) :] if url.startswith(base) else url
    return reverse("reports:my_agency")
