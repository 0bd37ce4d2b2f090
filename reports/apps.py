from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Báo cáo")

    def ready(self) -> None:
        from reports.cycles.signals import cycle_locked
        from reports.notifications.services import notify_cycle_locked

        def on_cycle_locked(sender, *, cycle, by, **kwargs) -> None:
            notify_cycle_locked(cycle=cycle, by=by)

        cycle_locked.connect(on_cycle_locked, dispatch_uid="notifications.cycle_locked", weak=False)
