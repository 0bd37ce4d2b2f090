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
    # The earlier report as an id, the agency and the editor searched: a select of every report (27,710 in the
    # national set) made this page 1.7 MB and 50 s.
    raw_id_fields = ["prefilled_from"]
    autocomplete_fields = ["agency", "updated_by"]


@admin.register(m.TaskReport)
class TaskReportAdmin(SimpleHistoryAdmin):
    list_display = ["submission", "task", "role", "progress"]
    list_filter = ["progress"]
    list_select_related = ["submission__agency", "submission__cycle", "task__group"]
    raw_id_fields = ["submission"]  # 1.39 M task reports belong to 27,710 reports nationally: no select of them
    autocomplete_fields = ["task"]


for model in (
    m.Receipt,
    m.IssuedDocument,
    m.TargetValue,
    m.Evidence,
    m.SubmissionEvent,
    m.ReminderDelivery,
    m.Notification,
    m.NotificationSettings,
    m.WorkingDayOverride,
    m.IssuerProfile,
    m.DocumentNumber,
    m.GeneratedReport,
):
    # Reports and task reports as ids: a select of every task report (5,000 in the demo, millions nationally), each
    # named with two queries, made the add and change pages of evidence and issued documents take six seconds.
    big = [f.name for f in model._meta.fields if f.is_relation and f.related_model in (m.Submission, m.TaskReport)]
    admin.site.register(model, raw_id_fields=big)


@admin.register(m.AgencyCertificate)
class AgencyCertificateAdmin(admin.ModelAdmin):
    """Read-only: a body's certificate is uploaded on the portal's signing page, which checks it and encrypts the key;
    the encrypted key is never shown here (it is not editable, so the admin form leaves it out)."""

    list_display = ["agency", "subject", "valid_until", "is_active", "uploaded_at"]
    list_filter = ["is_active"]
    readonly_fields = [
        "agency", "subject", "issuer", "serial_number", "fingerprint_sha256", "valid_from", "valid_until",
        "certificate_pem", "chain_pem", "seal_image", "uploaded_by", "uploaded_at",
    ]  # fmt: skip

    def has_add_permission(self, request):
        return False


@admin.register(m.TrustRoot)
class TrustRootAdmin(admin.ModelAdmin):
    list_display = ["name", "subject", "valid_until", "is_active"]

    def has_add_permission(self, request):
        return False  # added on the signing page, which parses and checks the certificate


@admin.register(m.SignedCopy)
class SignedCopyAdmin(admin.ModelAdmin):
    list_display = ["report", "method", "is_official", "created_by", "created_at"]
    list_filter = ["method", "is_official"]
    readonly_fields = ["report", "file", "sha256", "size", "method", "signatures", "is_official", "created_by"]


@admin.register(m.DashboardExport)
class DashboardExportAdmin(admin.ModelAdmin):
    list_display = ["title", "requested_by", "status", "row_count", "created_at", "expires_at"]
    list_filter = ["status"]


@admin.register(m.OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Jobs waiting for the broker or already sent: an administrator sees what is stuck and why."""

    list_display = ["task_name", "created_at", "eta", "sent_at", "attempts", "last_error"]
    list_filter = ["task_name"]
    readonly_fields = ["task_name", "args", "kwargs", "created_at", "eta", "sent_at", "attempts", "last_attempt_at"]


@admin.register(m.FiguresVersion)
class FiguresVersionAdmin(admin.ModelAdmin):
    """The database's incarnation, part of the version the dashboard's cached counts are keyed on
    (reports.dashboard.figures_cache): shown, never edited by hand."""

    list_display = ["token"]
    readonly_fields = ["token"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class DerivedRowsAdmin(admin.ModelAdmin):
    """Rows the database or the workers write (triggers, the ledger): shown to an administrator, never added,
    edited or deleted by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(m.StoredExpectedReport)
class StoredExpectedReportAdmin(DerivedRowsAdmin):
    """The ledger of expected reports (reports.cycles.ledger): written by the workflow steps and the worker from
    the definition of an expected report, read by the dashboard; shown for diagnosis, never edited by hand."""

    list_display = ["cycle_id", "year", "agency_id", "rule_id", "kind_group", "state"]
    list_filter = ["year", "state", "kind_group"]
    show_full_result_count = False  # 30,000 rows nationally: no COUNT(*) for the header


@admin.register(m.StoredTargetFigure)
class StoredTargetFigureAdmin(DerivedRowsAdmin):
    """The targets' figures in the ledger (reports.cycles.ledger): per target and cycle, the sum, the number, the
    lowest and the highest of the accepted reports' values; shown for diagnosis, never edited by hand."""

    list_display = ["target_id", "year", "cycle_id", "total", "reporters", "low", "high"]
    list_filter = ["year"]


@admin.register(m.LedgerStamp)
class LedgerStampAdmin(DerivedRowsAdmin):
    """How many changes the ledger of expected reports accounts for (-1: stale until the worker rebuilds it)."""

    list_display = ["pk", "changes"]


@admin.register(m.FiguresChange)
class FiguresChangeAdmin(DerivedRowsAdmin):
    """The changes database triggers recorded (one per committed transaction that changed what the figures count):
    an administrator sees when the figures last moved; nobody writes them by hand."""

    list_display = ["pk", "at", "topic"]
    readonly_fields = ["at", "topic"]
