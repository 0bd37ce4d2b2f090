"""The reviewer's inbox at the scale of 2026 (some 120 reporting units): filters by state, cycle, kind of unit and
former district, which rows the reviewer's agency may acknowledge in one go, and pages of PAGE_SIZE rows (a
national set's reviewer had 5,429 reports waiting on one page of 1.3 MB, drawn in 1.1 s)."""

from __future__ import annotations

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, AgencyKind, AgencySuccession, in_name_order
from reports import permissions
from reports.models import Cycle, Receipt, Submission, SubmissionStatus
from reports.submissions.selectors import inbox_for, to_review_by

TO_REVIEW = "review"
TO_ACKNOWLEDGE = "acknowledge"
PAGE_SIZE = 50
ROW_FIELDS = (
    "status",
    "submitted_at",
    "is_late",
    "agency__name",
    "agency__short_name",
    "cycle__year",
    "rule__title",
)


class _DistrictChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Agency) -> str:
        return obj.short_name  # "UBND quận Lê Chân": short, and the page's rows keep the full names


class InboxFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Việc cần làm"),
        required=False,
        choices=[("", _("Tất cả")), (TO_REVIEW, _("Chờ thẩm định")), (TO_ACKNOWLEDGE, _("Chờ xác nhận tiếp nhận"))],
    )
    year = forms.TypedChoiceField(label=_("Kỳ báo cáo"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Loại đơn vị"), required=False, choices=[("", _("Tất cả")), *AgencyKind.choices])
    former = _DistrictChoice(
        label=_("Địa bàn quận, huyện cũ"),
        required=False,
        empty_label=_("Tất cả"),
        # The districts that have ceased (Hải Phòng's 15 on 30/6/2025): a district still in being has no territory
        # handed on, and the national set's 1,500 made the box alone 70 KB of the page.
        queryset=Agency.objects.filter(kind=AgencyKind.DISTRICT, valid_to__isnull=False).order_by(*in_name_order()),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        years = Cycle.objects.order_by("-year").values_list("year", flat=True).distinct()
        year = self.fields["year"]
        assert isinstance(year, forms.ChoiceField)
        year.choices = [("", _("Tất cả")), *((y, str(y)) for y in years)]


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
        # An administrator (no agency) reviews everything submitted.
        rows = rows.filter(Q(status=SubmissionStatus.SUBMITTED) if agency_id is None else to_review_by(agency_id))
    elif data.get("state") == TO_ACKNOWLEDGE:
        rows = rows.filter(can_acknowledge=True)
    if data.get("year"):
        rows = rows.filter(cycle__year=data["year"])
    if data.get("kind"):
        rows = rows.filter(agency__kind=data["kind"])
    if data.get("former"):
        # The district itself (its reports before 1/7/2025) and every unit that took over part of its territory.
        former = data["former"]
        successors = AgencySuccession.objects.filter(predecessor=former).values("successor_id")
        rows = rows.filter(Q(agency=former) | Q(agency_id__in=successors))
    # Only what a row shows: the report's texts (thousands of characters each) made the sort of 5,000 waiting
    # reports carry them all (15 ms of a national page's SQL).
    return rows.select_related("agency", "cycle", "rule").only(*ROW_FIELDS)
