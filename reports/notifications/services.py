"""Creating workflow notifications. Called inside the transaction of the service that changed the report, so the
notices exist exactly when the change does; their mail is queued only after that transaction commits.

Who hears what:
- a report is sent: the reviewers of every recipient of its rule (the Sở GD&ĐT, and the Sở LĐTB&XH for a
  district);
- returned (with the reason), accepted, acknowledged, commented, reopened: the agency's staff and head;
- a cycle's figures are locked: the staff and head of every agency whose report of the cycle is not yet accepted
  (they can no longer change it), each with a link to their own report.
The person who acted is never told of their own action.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils.translation import override

from agencies.models import Membership, Role, in_name_order
from plans.models import RuleRecipient
from reports.models import (
    Cycle,
    Notification,
    NotificationKind,
    NotificationMail,
    NotificationSettings,
    Submission,
    SubmissionEvent,
    SubmissionEventKind,
    SubmissionStatus,
)
from reports.notifications.texts import notification_subject
from reports.outbox.services import outbox_enqueue_many

# Submission events that someone else must hear about; a draft saved or a report started concerns nobody else.
EVENT_KINDS = {
    SubmissionEventKind.SUBMITTED: NotificationKind.SUBMITTED,
    SubmissionEventKind.RETURNED: NotificationKind.RETURNED,
    SubmissionEventKind.ACCEPTED: NotificationKind.ACCEPTED,
    SubmissionEventKind.ACKNOWLEDGED: NotificationKind.ACKNOWLEDGED,
    SubmissionEventKind.COMMENTED: NotificationKind.COMMENTED,
    SubmissionEventKind.REOPENED: NotificationKind.REOPENED,
}
# Kinds a person may turn off by mail on the profile page (the in-portal notice always stays).
MAIL_KINDS = [kind for kind in NotificationKind if kind != NotificationKind.REMINDER]


def submission_url(submission_id: int) -> str:
    return reverse("reports:submission_detail", args=[submission_id])


def _agency_people(agency_ids: Iterable[int]) -> list[Membership]:
    return list(
        Membership.objects.filter(
            agency_id__in=list(agency_ids), role__in=[Role.STAFF, Role.HEAD], user__is_active=True
        ).select_related("user")
    )


def _reviewers_of(submission: Submission) -> list[Membership]:
    recipient_ids = RuleRecipient.objects.filter(rule_id=submission.rule_id).values_list("agency_id", flat=True)
    return list(
        Membership.objects.filter(
            agency_id__in=list(recipient_ids), role=Role.REVIEWER, user__is_active=True
        ).select_related("user")
    )


def _mail_state(user, kind: str, opted_out: dict[int, set[str]]) -> str:
    if not (user.email or "").strip() or kind in opted_out.get(user.pk, set()):
        return NotificationMail.NONE
    return NotificationMail.PENDING


def _create(*, people: list[Membership], kind: str, submission: Submission, subject: str, body: str, actor_id):
    return _create_many(notices=[(submission, subject, people)], kind=kind, body=body, actor_id=actor_id)


def _create_many(
    *, notices: list[tuple[Submission, str, list[Membership]]], kind: str, body: str, actor_id
) -> list[Notification]:
    """The notices of `kind` about each (submission, subject, people), in one INSERT, and their mail queued in one
    more: the person who acted is left out, and each person hears once about each report."""
    users = {m.user_id for _submission, _subject, people in notices for m in people if m.user_id != actor_id}
    if not users:
        return []
    opted_out = {s.user_id: set(s.mail_off) for s in NotificationSettings.objects.filter(user_id__in=users)}
    rows = []
    for submission, subject, people in notices:
        seen: set[int] = set()
        for member in people:
            if member.user_id == actor_id or member.user_id in seen:
                continue
            seen.add(member.user_id)
            rows.append(
                Notification(
                    user_id=member.user_id,
                    kind=kind,
                    submission=submission,
                    subject=subject[:255],
                    body=body,
                    url=submission_url(submission.pk),
                    mail_status=_mail_state(member.user, kind, opted_out),
                )
            )
    created = Notification.objects.bulk_create(rows)
    _queue_mail_after_commit({n.user_id for n in created if n.mail_status == NotificationMail.PENDING})
    return created


def _queue_mail_after_commit(user_ids: set[int]) -> None:
    # Through the outbox (reports.outbox): committed with the event and sent after commit, so a broker outage
    # never fails the request that caused it. The task comes back after the digest window, so several events of
    # a few minutes become one mail.
    outbox_enqueue_many(
        task_name="reports.notifications.tasks.send_notification_mail",
        calls=[[user_id] for user_id in sorted(user_ids)],
        countdown=settings.NOTIFICATION_DIGEST_SECONDS,
    )


def notify_submission_event(*, event: SubmissionEvent) -> list[Notification]:
    """The notices of one event of a report's workflow (none for a draft saved or a report started)."""
    kind = EVENT_KINDS.get(SubmissionEventKind(event.kind))
    if kind is None:
        return []
    submission = Submission.objects.select_related("agency", "cycle").get(pk=event.submission_id)
    people = _reviewers_of(submission) if kind == NotificationKind.SUBMITTED else _agency_people([submission.agency_id])
    actor_agency_name = event.actor_agency.short_name if event.actor_agency_id and event.actor_agency else ""
    # Stored in the portal's language; each mail is rendered again in its reader's language.
    with override(settings.LANGUAGE_CODE):
        subject = notification_subject(
            kind=kind,
            agency_name=submission.agency.short_name,
            year=submission.cycle.year,
            actor_agency_name=actor_agency_name,
        )
    return _create(
        people=people, kind=kind, submission=submission, subject=subject, body=event.message, actor_id=event.actor_id
    )


def notify_cycle_locked(*, cycle: Cycle, by) -> list[Notification]:
    """Each agency whose report can no longer change hears it, with a link to that report."""
    return _notify_unaccepted(cycle=cycle, by=by, kind=NotificationKind.CYCLE_LOCKED, body="")


def notify_cycle_unlocked(*, cycle: Cycle, by, reason: str) -> list[Notification]:
    """The same agencies hear that their report can be corrected and sent again, and why (the reason the reviewer
    gave, which the cycle's log keeps too)."""
    return _notify_unaccepted(cycle=cycle, by=by, kind=NotificationKind.CYCLE_UNLOCKED, body=reason)


def _notify_unaccepted(*, cycle: Cycle, by, kind: str, body: str) -> list[Notification]:
    """A notice to the people of each agency whose report of `cycle` is not accepted, linking to that report. Five
    queries whatever the number of agencies (the reports, their people, mail settings, notices, mail jobs)."""
    pending = list(
        Submission.objects.filter(cycle=cycle)
        .exclude(status=SubmissionStatus.ACCEPTED)
        .select_related("agency")
        .order_by(*in_name_order("agency__"))
    )
    people: dict[int, list[Membership]] = {}
    for member in _agency_people({s.agency_id for s in pending}):
        if member.agency_id is not None:
            people.setdefault(member.agency_id, []).append(member)
    # Stored in the portal's language; each mail is rendered again in its reader's language.
    with override(settings.LANGUAGE_CODE):
        notices = [
            (
                submission,
                notification_subject(kind=kind, agency_name=submission.agency.short_name, year=cycle.year),
                people.get(submission.agency_id, []),
            )
            for submission in pending
        ]
    return _create_many(notices=notices, kind=kind, body=body, actor_id=getattr(by, "pk", None))


def notification_settings_save(*, user, mail_off: list[str], language: str) -> NotificationSettings:
    """The profile page's choices; unknown kinds or languages are dropped rather than stored."""
    kinds = sorted({k for k in mail_off if k in NotificationKind.values and k != NotificationKind.REMINDER})
    languages = {code for code, _label in settings.LANGUAGES}
    found, _created = NotificationSettings.objects.update_or_create(
        user=user,
        defaults={"mail_off": kinds, "language": language if language in languages else settings.LANGUAGE_CODE},
    )
    return found
