"""The reminder log (reviewers, administrators) and every signed-in user's notifications."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from hptracker.http import AuthenticatedHttpRequest
from hptracker.paging import CappedPaginator, ListRowsMixin
from reports.models import Notification, ReminderDelivery
from reports.navigation import unread_notifications
from reports.notifications.texts import notification_title
from reports.permissions import can_view_reminder_log
from reports.reminders.tables import ReminderDeliveryFilter, ReminderDeliveryTable


class ReminderLogView(LoginRequiredMixin, ListRowsMixin, SingleTableMixin, FilterView):
    model = ReminderDelivery
    table_class = ReminderDeliveryTable
    filterset_class = ReminderDeliveryFilter
    template_name = "reports/reminders/reminder_log.html"
    # At most MAX_PAGES pages (a deep OFFSET reads every row it skips: nationally 89,000 deliveries over ten
    # years), the total counted apart (never paginate_by on a FilterView: it paginates twice).
    table_pagination = {"per_page": 50, "paginator_class": CappedPaginator}

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_view_reminder_log(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        # In the model's order, the newest day first (read through the index of the day, reminder_by_day), ties
        # broken by ListRows.
        return ReminderDelivery.objects.select_related("agency", "rule", "cycle")

    def get_table_kwargs(self):
        kwargs = super().get_table_kwargs()
        if any(self.filterset.form.data.get(name) for name in self.filterset.filters):
            kwargs["empty_text"] = _("Không có lượt nhắc nào khớp điều kiện lọc.")
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["total"] = self.object_list.count()
        return context


reminder_log = ReminderLogView.as_view()


@login_required
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    notifications = (
        Notification.objects.filter(user=request.user)
        .select_related("submission__agency", "submission__cycle")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(notifications, 30).get_page(request.GET.get("page"))
    for notification in page:
        # Stored in Vietnamese; a reader of the English pages reads workflow titles in English.
        setattr(notification, "title", notification_title(notification))  # noqa: B010 - a display-only attribute
    return render(
        request,
        "reports/reminders/notification_list.html",
        {"page": page, "unread": unread_notifications(request.user)},
    )


@login_required
@require_POST
def notification_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    # Scoped to the user: another person's notification is a 404, not a 403 that confirms it exists.
    notification = get_object_or_404(Notification, pk=pk, user=request.user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("reports:notifications")


@login_required
@require_POST
def notification_read_all(request: AuthenticatedHttpRequest) -> HttpResponse:
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("reports:notifications")
