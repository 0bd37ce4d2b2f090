"""Reading a report: its page (with the buttons the person may press), its history, and its evidence files."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from reports import permissions
from reports.models import Evidence, SubmissionStatus
from reports.submissions.access import visible_submission
from reports.submissions.forms import CommentForm, ReasonForm
from reports.submissions.selectors import submission_history, submission_page


@login_required
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = visible_submission(request, pk)
    user = request.user
    editable = submission.is_editable_by_agency and submission.cycle.is_open
    submitted = submission.status == SubmissionStatus.SUBMITTED
    accepted = submission.status == SubmissionStatus.ACCEPTED
    return render(
        request,
        "reports/submission_detail.html",
        {
            "page": submission_page(submission=submission, today=timezone.localdate()),
            # A button is shown when the person may act and the report's state allows it.
            "can_edit": editable and permissions.can_edit_submission(user, submission),
            "can_send": editable and permissions.can_send_submission(user, submission),
            "can_review": submitted and permissions.can_review_submission(user, submission),
            "can_acknowledge": (submitted or accepted)
            and permissions.can_acknowledge_submission(user, submission)
            and submission.receipts.filter(
                recipient_id=permissions.agency_id_of(user), acknowledged_at__isnull=True
            ).exists(),
            "can_reopen": accepted and permissions.can_reopen_submission(user, submission),
            "can_comment": submission.status != SubmissionStatus.DRAFT
            and permissions.can_comment_submission(user, submission),
            "reason_form": ReasonForm(),
            "comment_form": CommentForm(),
        },
    )


@login_required
def evidence_download(request: HttpRequest, pk: int, evidence_id: int) -> FileResponse:
    submission = visible_submission(request, pk)
    evidence = get_object_or_404(Evidence, pk=evidence_id, submission=submission)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    # as_attachment + filename: Django writes filename*=utf-8''… (RFC 5987) for Vietnamese names.
    response = FileResponse(
        handle, as_attachment=True, filename=evidence.original_name, content_type=evidence.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def submission_history_page(request: HttpRequest, pk: int) -> HttpResponse:
    submission = visible_submission(request, pk)
    return render(
        request,
        "reports/submission_history.html",
        {
            "submission": submission,
            "entries": submission_history(submission=submission),
            "events": submission.events.select_related("actor", "actor_agency").order_by("-at", "-pk"),
        },
    )
