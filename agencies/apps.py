from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = _("Cơ quan, đơn vị")

    def ready(self) -> None:
        from django.contrib.auth import get_user_model

        from agencies.names import full_name

        # Django's get_full_name puts the given name first, which reverses every Vietnamese name ("Chân Vũ Thị").
        # Replacing it once here means no page, mail, PDF or library call can show the Western order.
        get_user_model().get_full_name = full_name  # type: ignore[method-assign,assignment]
