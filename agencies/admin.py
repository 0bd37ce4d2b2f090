from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin

from .models import Agency, AgencySuccession, Membership
from .services import SuccessionResult, agency_succession_apply


class SuccessionInline(admin.TabularInline):
    model = AgencySuccession
    fk_name = "predecessor"
    extra = 0
    autocomplete_fields = ["successor"]


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "short_name", "symbol", "kind", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "code", "symbol"]
    inlines = [SuccessionInline]


@admin.register(AgencySuccession)
class AgencySuccessionAdmin(admin.ModelAdmin):
    list_display = ["predecessor", "successor", "kind", "effective_on"]
    autocomplete_fields = ["predecessor", "successor"]
    actions = ["apply_succession"]

    @admin.action(description=gettext_lazy("Áp dụng kế thừa: chuyển nhiệm vụ sang cơ quan kế thừa"),
                  permissions=["change"])
    def apply_succession(self, request, queryset):
        # Oldest first: a chain (A → B on 1/1, B → C on 1/3) then hands A's tasks on to C.
        for succession in queryset.select_related("predecessor", "successor").order_by("effective_on", "pk"):
            try:
                result = agency_succession_apply(succession=succession, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{succession}: {' '.join(error.messages)}", messages.ERROR)
                continue
            self.message_user(request, _summary(succession, result),
                              messages.SUCCESS if result.changed else messages.INFO)
            if result.people_to_move:
                names = ", ".join(m.user.get_username() for m in result.people_to_move)
                self.message_user(request, _("Các tài khoản sau vẫn thuộc %(a)s, xin chuyển bằng tay sang đơn vị "
                                             "mới: %(names)s.") % {"a": succession.predecessor.short_name,
                                                                    "names": names}, messages.WARNING)


def _summary(succession: AgencySuccession, result: SuccessionResult) -> str:
    names = {"a": succession.predecessor.short_name, "b": succession.successor.short_name}
    if not result.changed:
        return _("%(a)s → %(b)s: đã áp dụng từ trước, không có gì thay đổi.") % names
    return _("%(a)s → %(b)s: %(moved)s nhiệm vụ chuyển sang, %(strengthened)s nhiệm vụ nâng thành chủ trì, "
             "%(kept)s nhiệm vụ cơ quan kế thừa đã đảm nhận, %(duties)s mục tổ chức thực hiện được bổ sung, "
             "%(recipients)s nơi nhận báo cáo được chuyển.") % {
        **names, "moved": result.assignments_moved, "strengthened": result.assignments_strengthened,
        "kept": result.assignments_kept, "duties": result.duty_items_added, "recipients": result.recipients_moved}


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "agency", "position"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "agency__name"]
    autocomplete_fields = ["agency", "user"]
