from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import Agency, AgencySuccession, Membership
from .names import full_name


class SuccessionInline(admin.TabularInline):
    model = AgencySuccession
    fk_name = "predecessor"
    extra = 0
    autocomplete_fields = ["successor"]


@admin.register(Agency)
class AgencyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "short_name", "symbol", "kind", "official_code", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "code", "symbol", "official_code", "place_name"]
    inlines = [SuccessionInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "agency", "position"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "agency__name"]
    autocomplete_fields = ["agency", "user"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PersonAdmin(UserAdmin):
    """Accounts with the name the Vietnamese way: "Họ và tên đệm" then "Tên", shown as one "Họ và tên"."""

    list_display = ["username", "display_name", "email", "is_active", "is_staff"]
    search_fields = ["username", "last_name", "first_name", "email"]
    ordering = ["first_name", "last_name", "username"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Họ và tên"), {"fields": ("last_name", "first_name", "email")}),
        (
            _("Quyền"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Thời điểm"), {"fields": ("last_login", "date_joined")}),
    )

    @admin.display(description=_("Họ và tên"), ordering="first_name")
    def display_name(self, obj) -> str:
        return full_name(obj)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        labels = {"last_name": _("Họ và tên đệm"), "first_name": _("Tên")}
        for name, label in labels.items():
            if name in form.base_fields:
                form.base_fields[name].label = label
        return form
