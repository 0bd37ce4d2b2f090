from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Báo cáo")

    def ready(self) -> None:
        from reports.cycles.signals import cycle_locked, cycle_unlocked
        from reports.notifications.services import notify_cycle_locked, notify_cycle_unlocked

        def on_cycle_locked(sender, *, cycle, by, **kwargs) -> None:
            notify_cycle_locked(cycle=cycle, by=by)

        def on_cycle_unlocked(sender, *, cycle, by, reason, **kwargs) -> None:
            notify_cycle_unlocked(cycle=cycle, by=by, reason=reason)

        cycle_locked.connect(on_cycle_locked, dispatch_uid="notifications.cycle_locked", weak=False)
        cycle_unlocked.connect(on_cycle_unlocked, dispatch_uid="notifications.cycle_unlocked", weak=False)
