"""The version of the data the dashboard's figures are counted from, for the figures cache."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FiguresVersion(models.Model):
    """The database's incarnation: a random token set when the row is created (by the migration, or again after a
    test's flush) and when a backup is restored. With the number of FiguresChange rows it makes the version the
    figures cache keys counts on (`reports.dashboard.figures_cache`)."""

    token = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("phiên bản số liệu")
        verbose_name_plural = _("phiên bản số liệu")

    def __str__(self) -> str:
        return self.token


class FiguresChange(models.Model):
    """One row per committed transaction that wrote a row the expected reports or the target averages are built
    from, inserted by PostgreSQL triggers (migrations 0013_figures_version and 0015_figures_targets) whatever wrote
    (a view, a queryset update, raw SQL, COPY).
    Rows are only ever added, never updated, so concurrent writers never wait for one another here; the number of
    rows a reader sees changes exactly when the data it can see does."""

    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("thay đổi số liệu")
        verbose_name_plural = _("thay đổi số liệu")

    def __str__(self) -> str:
        return f"{self.pk} ({self.at:%d/%m/%Y %H:%M})"
