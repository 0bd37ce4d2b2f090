"""The reminder log a reviewer reads: every reminder planned, sent, failed or skipped."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from agencies.models import in_name_order
from hptracker.search import VietnameseContainsFilter
from reports.models import Cycle, ReminderDelivery, ReminderDeliveryStatus
from reports.reminders.planning import slot_label


class ReminderDeliveryTable(tables.Table):
    planned_for = tables.DateColumn("d/m/Y", verbose_name=_("Ngày nhắc"))
    agency = tables.Column(accessor="agency__short_name", verbose_name=_("Đơn vị"), order_by=in_name_order("agency__"))
    rule = tables.Column(accessor="rule__title", verbose_name=_("Chế độ báo cáo"))
    offset_key = tables.Column(verbose_name=_("Mốc nhắc"))
    status = tables.Column(verbose_name=_("Trạng thái"))
    recipients = tables.Column(verbose_name=_("Người nhận"), orderable=False)
    sent_at = tables.DateTimeColumn("d/m/Y H:i", verbose_name=_("Gửi lúc"))
    attempts = tables.Column(verbose_name=_("Số lần thử"))
    error = tables.Column(verbose_name=_("Lỗi"), orderable=False)

    class Meta:
        model = ReminderDelivery
        fields = ("planned_for", "agency", "rule", "offset_key", "status", "recipients", "sent_at", "attempts", "error")
        attrs = {"class": "grid"}
        empty_text = _("Chưa có lượt nhắc hạn nào.")

    def render_status(self, value, record):
        return format_html_join("", '<span class="badge {}">{}</span>', [(record.status, record.get_status_display())])

    def render_offset_key(self, value):
        return slot_label(value)

    def render_recipients(self, value):
        return format_html_join(
            ", ", "{}{}", ((("cc: " if r.get("kind") == "cc" else ""), r.get("email", "")) for r in value or [])
        )


class ReminderDeliveryFilter(django_filters.FilterSet):
    # A cycle's label names its plan: read with it, not once per cycle.
    cycle = django_filters.ModelChoiceFilter(
        queryset=Cycle.objects.select_related("plan").order_by("-year", "plan__number"), label=_("Kỳ báo cáo")
    )
    status = django_filters.ChoiceFilter(choices=ReminderDeliveryStatus.choices, label=_("Trạng thái"))
    # The unit by name, as the dashboard's lists find it: a list of every unit was 3,000 options nationally (a
    # select nobody can use, and most of the page's weight).
    agency = VietnameseContainsFilter(
        label=_("Tên đơn vị"), field_name="agency__name", folded_field="agency__sort_name"
    )

    class Meta:
        model = ReminderDelivery
        fields = ["cycle", "status", "agency"]
