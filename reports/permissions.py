"""The one module that decides every access: one function per decision. Views call these functions and scope
their querysets with `submissions_visible_to`; no view writes its own `if role == …` check.

404 or 403: when a person may not even see an object whose existence is confidential (another agency's report,
its evidence, its documents, a consolidated report still being drafted by the department), the answer is 404, as
if it did not exist. When they may see it but not act on it, or when the page is not about one object (the
dashboard, the inbox, locking a cycle), the answer is 403.

Roles (agencies.models.Role):
- staff: fills in its own agency's reports while they are drafts or returned;
- head: the same, and submits on behalf of the agency;
- reviewer: reads every report addressed to its agency; where its agency is the first recipient of the rule
  (the Sở GD&ĐT for almost everything) it returns or accepts; every recipient acknowledges separately;
- leader: reads everything, changes nothing;
- admin: everything, and may reopen an accepted report.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from agencies.models import Membership, Role
from plans.models import RuleRecipient
from reports.models import GeneratedReport, GeneratedReportKind, GeneratedReportStatus, Submission


def membership(user) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.membership
    except Membership.DoesNotExist:
        return None


def role_of(user) -> str | None:
    found = membership(user)
    return found.role if found else None


def agency_id_of(user) -> int | None:
    found = membership(user)
    return found.agency_id if found else None


def is_admin(user) -> bool:
    return role_of(user) == Role.ADMIN or bool(getattr(user, "is_superuser", False))


def sees_everything(user) -> bool:
    """Leaders, administrators and the consolidating reviewers read every report."""
    role = role_of(user)
    return is_admin(user) or role == Role.LEADER or (role == Role.REVIEWER and _is_consolidator(user))


# The name under which reports.navigation.user_annotations loads `receives_reports_first` with the person.
RECEIVES_REPORTS_FIRST = "receives_reports_first"


def receives_reports_first(agency_id: int | OuterRef) -> QuerySet[RuleRecipient]:
    """Non-empty when the agency first receives the agencies' reports (the Sở GD&ĐT in plan 193), decided from
    the rules' data; `agency_id` may be an OuterRef (loaded with the person: reports.navigation)."""
    return RuleRecipient.objects.consolidating().filter(agency_id=agency_id)


def _is_consolidator(user) -> bool:
    """`receives_reports_first` for the person's agency: loaded with the person on every page
    (agencies.backends), otherwise asked once and remembered on the membership for the request."""
    found = membership(user)
    if not (found and found.agency_id):
        return False
    loaded: bool | None = getattr(user, RECEIVES_REPORTS_FIRST, None)
    if loaded is not None:
        return loaded
    cached: bool | None = getattr(found, "_is_consolidator", None)
    if cached is None:
        cached = receives_reports_first(found.agency_id).exists()
        setattr(found, "_is_consolidator", cached)  # noqa: B010 - a per-request memo, not a model field
    return cached


def submissions_visible_to(user, queryset: QuerySet[Submission] | None = None) -> QuerySet[Submission]:
    queryset = Submission.objects.all() if queryset is None else queryset
    role, agency_id = role_of(user), agency_id_of(user)
    if role is None:
        return queryset.none()
    if sees_everything(user):
        return queryset
    if agency_id is None:  # a reviewer or agency account not yet attached to an agency sees nothing
        return queryset.none()
    if role in (Role.STAFF, Role.HEAD):
        return queryset.filter(agency_id=agency_id)
    if role == Role.REVIEWER:
        addressed = RuleRecipient.objects.filter(rule_id=OuterRef("rule_id"), agency_id=agency_id)
        return queryset.filter(Exists(addressed))
    return queryset.none()


def can_view_submission(user, submission: Submission) -> bool:
    """Reading a report, its evidence, its history and its documents. When this fails the view answers 404: the
    existence of another agency's report is itself confidential. The same rule as `submissions_visible_to`,
    decided without a query where the membership alone decides."""
    role = role_of(user)
    if role in (Role.STAFF, Role.HEAD):
        return agency_id_of(user) == submission.agency_id
    return submissions_visible_to(user, Submission.objects.filter(pk=submission.pk)).exists()


# The checks below say WHO may attempt an action on a report they can see, whatever the report's state: a view
# answers 403 when they fail. Whether the state allows it (already sent, cycle locked, …) is the service's
# question (WorkflowError with a sentence), so that a double click or a stale page gets a clear message; a page
# that shows a button asks both (`Submission.is_editable_by_agency`, the status).


def is_member_of_agency(user, agency_id: int) -> bool:
    """Staff and heads act for their own agency only."""
    return role_of(user) in (Role.STAFF, Role.HEAD) and agency_id_of(user) == agency_id


def can_edit_submission(user, submission: Submission) -> bool:
    """Fill in, save, attach evidence: the agency's staff and head."""
    return is_member_of_agency(user, submission.agency_id)


def can_send_submission(user, submission: Submission) -> bool:
    """Only the agency's head sends its report."""
    return role_of(user) == Role.HEAD and agency_id_of(user) == submission.agency_id


def _is_recipient(user, submission: Submission, *, first_only: bool) -> bool:
    if role_of(user) != Role.REVIEWER:
        return False
    recipients = RuleRecipient.objects.filter(rule_id=submission.rule_id)
    if first_only:
        first = recipients.order_by("order").values_list("agency_id", flat=True).first()
        return first is not None and first == agency_id_of(user)
    return recipients.filter(agency_id=agency_id_of(user)).exists()


def can_review_submission(user, submission: Submission) -> bool:
    """Return or accept: the reviewers of the rule's first recipient (the Sở GD&ĐT)."""
    return _is_recipient(user, submission, first_only=True)


def can_acknowledge_submission(user, submission: Submission) -> bool:
    """Acknowledge receipt: the reviewers of every recipient (a district's report goes to two departments)."""
    return _is_recipient(user, submission, first_only=False)


def can_comment_submission(user, submission: Submission) -> bool:
    """Write a remark on a sent report: the reviewers of every recipient."""
    return _is_recipient(user, submission, first_only=False)


def can_reopen_submission(user, submission: Submission) -> bool:
    """Reopen an accepted report: administrators."""
    return is_admin(user)


def can_view_agency(user, agency_id: int) -> bool:
    return sees_everything(user) or role_of(user) == Role.REVIEWER or agency_id_of(user) == agency_id


def can_view_dashboard(user) -> bool:
    """The dashboard: leaders, administrators and every reviewer (scoped by `dashboard_scope`). Agency staff and
    heads get 403: their agency's own reports and its page ("Báo cáo của đơn vị") are where they read them; a
    dashboard narrowed to one agency would repeat that page with rates of one."""
    return sees_everything(user) or role_of(user) == Role.REVIEWER


def dashboard_scope(user, queryset: QuerySet, *, rule: str = "", agency: str = "") -> QuerySet:
    """THE scope of every dashboard query (pages and exports alike), applied to a queryset of any model.

    The consolidating reviewers, leaders and administrators see everything. Any other reviewer (the Sở LĐTB&XH,
    which receives the districts' reports) sees only what is addressed to its agency: rows whose reporting
    rule (`rule`: the lookup of the rule's id from the row, e.g. "rule_id", "submission__rule_id") has its
    agency among the recipients, or, for rows about an agency rather than a report (`agency`: e.g. "agency_id"),
    the agencies that owe it a report. Anyone else sees nothing."""
    if sees_everything(user):
        return queryset
    reader_agency = agency_id_of(user)
    if role_of(user) != Role.REVIEWER or reader_agency is None:
        return queryset.none()
    recipients = RuleRecipient.objects.filter(agency_id=reader_agency)
    if rule:
        return queryset.filter(Exists(recipients.filter(rule_id=OuterRef(rule))))
    if agency:
        owing = recipients.filter(rule__consolidates=False, rule__reporters__agencies=OuterRef(agency))
        return queryset.filter(Exists(owing))
    raise ValueError("dashboard_scope needs the rule or the agency lookup of the rows")


def can_request_consolidated_report(user) -> bool:
    """Drafting the consolidated report is the consolidator's job (and the administrator's)."""
    return is_admin(user) or (role_of(user) == Role.REVIEWER and _is_consolidator(user))


def can_lock_cycle(user) -> bool:
    """Locking a cycle's figures (and unlocking them) belongs to whoever builds the consolidated report on them:
    the consolidator's reviewers and the administrators."""
    return is_admin(user) or (role_of(user) == Role.REVIEWER and _is_consolidator(user))


def can_download_consolidated_report(user) -> bool:
    return sees_everything(user) or can_request_consolidated_report(user)


def can_view_reminder_log(user) -> bool:
    return is_admin(user) or role_of(user) == Role.REVIEWER


def can_view_cycles(user) -> bool:
    """Deadlines and who owes a report are public inside the portal; statuses are still scoped."""
    return role_of(user) is not None or is_admin(user)


def can_view_inbox(user) -> bool:
    return role_of(user) == Role.REVIEWER or is_admin(user)


def can_view_dashboard_export(user, export) -> bool:
    """A dashboard export (reports.models.DashboardExport) is its requester's alone, and only while they may still
    read the dashboard; to anyone else it does not exist (404)."""
    return export.requested_by_id == getattr(user, "pk", None) and can_view_dashboard(user)


# --- generated documents and their signatures --------------------------------------------------------------------


def can_view_generated_report(user, report: GeneratedReport) -> bool:
    """A generated document (its files and its signed copies): an agency's report for whoever may see the report;
    a finished consolidated report for its readers; one being drafted (queued, rendering, failed) only for those who
    may request it. When this fails the view answers 404."""
    if report.kind == GeneratedReportKind.SUBMISSION:
        return report.submission is not None and can_view_submission(user, report.submission)
    if report.status == GeneratedReportStatus.READY:
        return can_download_consolidated_report(user)
    return can_request_consolidated_report(user)


def can_sign_document(user, report: GeneratedReport) -> bool:
    """Sign with the body's certificate, or upload a copy signed with one's own token: for an agency's report, that
    agency's head; for the consolidated report, the head of the issuing body or the consolidating reviewers."""
    role, agency_id = role_of(user), agency_id_of(user)
    if report.kind == GeneratedReportKind.SUBMISSION:
        return role == Role.HEAD and report.submission is not None and report.submission.agency_id == agency_id
    issuing = report.profile.agency_id if report.profile is not None else None
    return (role == Role.HEAD and agency_id is not None and agency_id == issuing) or (
        role == Role.REVIEWER and can_request_consolidated_report(user)
    )
