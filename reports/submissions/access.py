"""The two answers the submission pages give someone who may not come in: a report they may not see does not
exist for them (404: its existence is confidential, see permissions' module docstring); an action they may not
take on a report they do see is refused (403)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from reports import permissions
from reports.models import Submission
from reports.submissions.selectors import submission_for_page


def visible_submission(request: HttpRequest, pk: int, *, queryset: QuerySet[Submission] | None = None) -> Submission:
    """The report, or 404 when it does not exist or the person may not see it. `queryset`: what to load with it
    (by default what the submission's page shows)."""
    try:
        submission = submission_for_page(pk=pk) if queryset is None else queryset.get(pk=pk)
    except Submission.DoesNotExist:
        raise Http404 from None
    if not permissions.can_view_submission(request.user, submission):
        raise Http404
    return submission


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied
