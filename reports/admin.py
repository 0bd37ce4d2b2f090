from __future__ import annotations

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import models as m


class DeadlineInline(admin.TabularInline):
    model = m.CycleDeadline
    extra = 0


@admin.register(m.Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ["year", "plan", "status", "locked_at", "window_start", "window_end"]
    # Locking goes through cycle_lock / cycle_unlock (the cycle page) so that it is checked and logged.
    readonly_fields = ["status", "locked_at"]
    inlines = [DeadlineInline]


@admin.register(m.CycleEvent)
class CycleEventAdmin(admin.ModelAdmin):
    list_display = ["cycle", "kind", "actor", "at", "reason"]
    list_filter = ["kind"]
    list_select_related = ["cycle__plan", "actor"]
    # The log is written by cycle_lock / cycle_unlock only; the admin reads it.
    readonly_fields = ["cycle", "kind", "actor", "at", "reason"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(m.CycleDeadline)
class CycleDeadlineAdmin(admin.ModelAdmin):
    list_display = ["cycle", "rule", "due_on", "entry_closes_on"]


@admin.register(m.Submission)
class SubmissionAdmin(SimpleHistoryAdmin):
    list_display = ["agency", "cycle", "rule", "status", "submitted_at", "is_late"]
    list_filter = ["status", "is_late", "cycle"]
    search_fields = ["agency__name"]
    list_select_related = ["agency", "cycle__plan", "rule"]
    # Workflow changes go through the portal's services so that they are validated and logged.
    readonly_fields = ["status", "version", "submitted_at", "submitted_by", "accepted_at", "accepted_by"]


@admin.register(m.TaskReport)
class TaskReportAdmin(SimpleHistoryAdmin):
    list_display = ["submission", "task", "role", "progress"]
    list_filter = ["progress"]
    list_select_related = ["submission__agency", "submission__cycle", "task__group"]


for model in (
    m.Receipt,
    m.IssuedDocument,
    m.TargetValue,
    m.Evidence,
    m.SubmissionEvent,
    m.ReminderDelivery,
    m.Notification,
    m.WorkingDayOverride,
    m.IssuerProfile,
    m.DocumentNumber,
    m.GeneratedReport,
):
    admin.site.register(model)
