"""The version of the data the dashboard's figures are counted from, for the figures cache."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class FiguresVersion(models.Model):
    """A single row whose token changes whenever a row the expected reports are built from is written: PostgreSQL
    triggers (migration 0013_figures_version) set a new random token in the writing transaction, at its commit,
    whatever wrote (a view, a queryset update, raw SQL, COPY). `reports.dashboard.figures_cache` keys counts on
    it: a count cached under a token was counted from exactly the data that token stands for."""

    token = models.CharField(max_length=64)
    # The transaction that set the token: the triggers change it once per transaction, not once per row.
    changed_by = models.BigIntegerField(null=True)

    class Meta:
        verbose_name = _("phiên bản số liệu")
        verbose_name_plural = _("phiên bản số liệu")

    def __str__(self) -> str:
        return self.token
