from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from agencies.models import AgencySuccession

from .models import (
    AssignmentStatus,
    BasisDocument,
    Duty,
    DutyItem,
    Objective,
    Plan,
    ReportingRule,
    RuleRecipient,
    Target,
    Task,
    TaskAssignment,
    TaskGroup,
)
from .successions import SuccessionResult, agency_succession_apply, agency_succession_preview


class BasisInline(admin.TabularInline):
    model = BasisDocument
    fk_name = "plan"
    extra = 0


@admin.register(Plan)
class PlanAdmin(SimpleHistoryAdmin):
    list_display = ["number", "document_type", "issued_on", "signer_name"]
    inlines = [BasisInline]


@admin.register(BasisDocument)
class BasisDocumentAdmin(admin.ModelAdmin):
    list_display = ["symbol", "kind", "issuer", "issued_on", "plan"]


@admin.register(Objective)
class ObjectiveAdmin(admin.ModelAdmin):
    list_display = ["plan", "section", "number", "text"]
    list_filter = ["section"]


class TaskInline(admin.TabularInline):
    model = Task
    extra = 0
    fields = ["number", "text", "deadline_text", "deadline"]


@admin.register(TaskGroup)
class TaskGroupAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "plan"]
    inlines = [TaskInline]


class AssignmentInline(admin.TabularInline):
    model = TaskAssignment
    extra = 0
    autocomplete_fields = ["agency"]


@admin.register(Task)
class TaskAdmin(SimpleHistoryAdmin):
    list_display = ["code", "text", "deadline_text"]
    list_filter = ["group"]
    search_fields = ["text"]
    inlines = [AssignmentInline]
    list_select_related = ["group"]


@admin.register(TaskAssignment)
class TaskAssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["task", "agency", "role", "status", "started_on", "ended_on"]
    list_filter = ["role", "status", "agency__kind", "ended_on"]
    autocomplete_fields = ["task", "agency"]
    list_select_related = ["task__group", "agency"]
    actions = ["confirm_assignments", "end_assignments"]

    @admin.action(description=_("Xác nhận phân công đã chọn (Sở GD&ĐT đồng ý)"))
    def confirm_assignments(self, request, queryset):
        # One save per row so that the audit history records who confirmed what.
        changed = 0
        for assignment in queryset.exclude(status=AssignmentStatus.CONFIRMED):
            assignment.status = AssignmentStatus.CONFIRMED
            assignment.save()
            changed += 1
        self.message_user(request, _("Đã xác nhận %(n)d phân công.") % {"n": changed})

    @admin.action(description=_("Kết thúc phân công đã chọn từ hôm nay (giữ lại lịch sử)"))
    def end_assignments(self, request, queryset):
        changed = 0
        for assignment in queryset.filter(ended_on__isnull=True):
            assignment.ended_on = timezone.localdate()
            assignment.save()
            changed += 1
        self.message_user(request, _("Đã kết thúc %(n)d phân công.") % {"n": changed})


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ["name", "direction", "target_value", "unit", "target_year", "task"]


class DutyInline(admin.TabularInline):
    model = Duty
    extra = 0


@admin.register(DutyItem)
class DutyItemAdmin(admin.ModelAdmin):
    list_display = ["number", "heading", "requested", "plan"]
    filter_horizontal = ["agencies"]
    inlines = [DutyInline]


@admin.register(Duty)
class DutyAdmin(admin.ModelAdmin):
    list_display = ["item", "order", "text"]


class RuleRecipientInline(admin.TabularInline):
    model = RuleRecipient
    extra = 0
    autocomplete_fields = ["agency"]  # each row's select of every agency made the rule's page 450 KB nationally


@admin.register(ReportingRule)
class ReportingRuleAdmin(SimpleHistoryAdmin):
    list_display = ["title", "deadline_day", "deadline_month", "deadline_text", "consolidates"]
    filter_horizontal = ["reporters"]
    inlines = [RuleRecipientInline]


@admin.register(RuleRecipient)
class RuleRecipientAdmin(admin.ModelAdmin):
    list_display = ["rule", "agency", "order"]
    autocomplete_fields = ["agency"]


# The succession workflow re-addresses plan data, so its admin lives here, above `agencies`.
@admin.register(AgencySuccession)
class AgencySuccessionAdmin(admin.ModelAdmin):
    list_display = ["predecessor", "successor", "kind", "effective_on"]
    autocomplete_fields = ["predecessor", "successor"]
    actions = ["preview_succession", "apply_succession"]

    @admin.action(description=_("Xem trước kế thừa: những gì sẽ chuyển sang cơ quan kế thừa"), permissions=["change"])
    def preview_succession(self, request, queryset):
        # Django's delete_selected pattern: an intermediate page, whose button posts `apply_succession` for the
        # same rows. Nothing is written until then.
        successions = list(queryset.select_related("predecessor", "successor").order_by("effective_on", "pk"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Xem trước kế thừa"),
            "opts": self.model._meta,
            "previews": agency_succession_preview(successions=successions, by=request.user),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/plans/agencysuccession/preview.html", context)

    @admin.action(description=_("Áp dụng kế thừa: chuyển nhiệm vụ sang cơ quan kế thừa"), permissions=["change"])
    def apply_succession(self, request, queryset):
        # Oldest first: a chain (A → B on 1/1, B → C on 1/3) then hands A's tasks on to C.
        for succession in queryset.select_related("predecessor", "successor").order_by("effective_on", "pk"):
            try:
                result = agency_succession_apply(succession=succession, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{succession}: {' '.join(error.messages)}", messages.ERROR)
                continue
            self.message_user(
                request, _summary(succession, result), messages.SUCCESS if result.changed else messages.INFO
            )
            if result.people_to_move:
                names = ", ".join(m.user.get_username() for m in result.people_to_move)
                self.message_user(
                    request,
                    gettext("Các tài khoản sau vẫn thuộc %(a)s, xin chuyển bằng tay sang đơn vị mới: %(names)s.")
                    % {"a": succession.predecessor.short_name, "names": names},
                    messages.WARNING,
                )


def _summary(succession: AgencySuccession, result: SuccessionResult) -> str:
    names = {"a": succession.predecessor.short_name, "b": succession.successor.short_name}
    if not result.changed:
        return gettext("%(a)s → %(b)s: đã áp dụng từ trước, không có gì thay đổi.") % names
    return gettext(
        "%(a)s → %(b)s: %(moved)s nhiệm vụ chuyển sang, %(strengthened)s nhiệm vụ nâng thành chủ trì, "
        "%(kept)s nhiệm vụ cơ quan kế thừa đã đảm nhận, %(duties)s mục tổ chức thực hiện được bổ sung, "
        "%(recipients)s nơi nhận báo cáo được chuyển."
    ) % {
        **names,
        "moved": result.assignments_moved,
        "strengthened": result.assignments_strengthened,
        "kept": result.assignments_kept,
        "duties": result.duty_items_added,
        "recipients": result.recipients_moved,
    }
