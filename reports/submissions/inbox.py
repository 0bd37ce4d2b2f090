"""The reviewer's inbox at the scale of 2026 (some 120 reporting units): filters by state, kind of unit and former
district, and which rows the reviewer's agency may acknowledge in one go."""

from __future__ import annotations

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, AgencyKind
from reports import permissions
from reports.models import Receipt, Submission, SubmissionStatus
from reports.submissions.selectors import inbox_for

TO_REVIEW = "review"
TO_ACKNOWLEDGE = "acknowledge"


class _DistrictChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        return obj.short_name  # "UBND quận Lê Chân": short, and the page's rows keep the full names


class InboxFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Việc cần làm"),
        required=False,
        choices=[("", _("Tất cả")), (TO_REVIEW, _("Chờ thẩm định")), (TO_ACKNOWLEDGE, _("Chờ xác nhận tiếp nhận"))],
    )
    kind = forms.ChoiceField(label=_("Loại đơn vị"), required=False, choices=[("", _("Tất cả")), *AgencyKind.choices])
    former = _DistrictChoice(
        label=_("Địa bàn quận, huyện cũ"),
        required=False,
        empty_label=_("Tất cả"),
        queryset=Agency.objects.filter(kind=AgencyKind.DISTRICT).order_by("name"),
    )


def inbox_rows(*, user, form: InboxFilterForm) -> QuerySet[Submission]:
    """The inbox (`inbox_for`) narrowed by the form, each row annotated with `can_acknowledge`: a receipt of the
    reviewer's agency still open. An invalid filter value is ignored rather than failing the page."""
    agency_id = permissions.agency_id_of(user)
    open_receipt = Receipt.objects.filter(
        submission=OuterRef("pk"), recipient_id=agency_id, acknowledged_at__isnull=True
    )
    rows = inbox_for(user).annotate(can_acknowledge=Exists(open_receipt))
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("state") == TO_REVIEW:
        rows = rows.filter(status=SubmissionStatus.SUBMITTED)
        if agency_id is not None:  # an administrator (no agency) reviews everything submitted
            rows = rows.filter(rule__rule_recipients__agency_id=agency_id, rule__rule_recipients__order=1)
    elif data.get("state") == TO_ACKNOWLEDGE:
        rows = rows.filter(can_acknowledge=True)
    if data.get("kind"):
        rows = rows.filter(agency__kind=data["kind"])
    if data.get("former"):
        # The district itself (its reports before 1/7/2025) and every unit that took over part of its territory.
        former = data["former"]
        rows = rows.filter(Q(agency=former) | Q(agency__predecessions__predecessor=former)).distinct()
    return rows.select_related("agency", "cycle", "rule")
