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


class FiguresTopic:
    """What a FiguresChange row records a change to: the expected reports (and their states), the targets'
    values of the accepted reports, or the lineage of the agencies. The ledger follows the first two (the
    triggers record nothing for a target value of a report not accepted: a draft saved leaves everything
    current)."""

    EXPECTED = "expected"
    TARGETS = "targets"
    # The successions (AgencySuccession): which of today's units carries on whose reports. They change no expected
    # report, but the years page by today's units folds its rows along them (reports.dashboard.lineage).
    LINEAGE = "lineage"
    # A change to the expected reports that a workflow step wrote into the ledger itself, in its own transaction
    # (reports.cycles.ledger.keep): it moves the figures' version, not the ledger's stamp.
    KEPT = "kept"


class FiguresChange(models.Model):
    """One row per committed transaction and topic (FiguresTopic) that wrote a row the expected reports or the
    target averages are built from, or a succession of agencies, inserted by PostgreSQL triggers (migrations
    0013_figures_version, 0015_figures_targets, 0018_expected_reports_ledger, 0019_figures_lineage) whatever
    wrote (a view, a queryset update, raw SQL, COPY), or by a workflow step that kept the ledger
    (reports.cycles.ledger.keep). Rows are only ever added, never updated, so concurrent writers never wait for
    one another here; the number of rows a reader sees changes exactly when the data it can see does."""

    at = models.DateTimeField(auto_now_add=True)
    topic = models.CharField(max_length=16, default=FiguresTopic.EXPECTED)

    class Meta:
        verbose_name = _("thay đổi số liệu")
        verbose_name_plural = _("thay đổi số liệu")

    def __str__(self) -> str:
        return f"{self.pk} ({self.at:%d/%m/%Y %H:%M})"


class StoredExpectedReport(models.Model):
    """One expected report (agency, rule, cycle) and its state, as `reports.cycles.selectors.expected_reports`
    defines them, stored so that the dashboard counts 30,000 narrow rows instead of building them from nine tables
    (reports.cycles.ledger). Derived data: rebuilt from the definition, never edited; plain ids, not foreign keys,
    so that deleting an agency or a plan never waits for it (the deletion makes the ledger stale, see
    LedgerStamp)."""

    plan_id = models.BigIntegerField()
    cycle_id = models.BigIntegerField()
    year = models.IntegerField()
    rule_id = models.BigIntegerField()
    agency_id = models.BigIntegerField()
    kind_group = models.CharField(max_length=16)
    state = models.CharField(max_length=16)

    class Meta:
        verbose_name = _("báo cáo phải nộp (sổ tổng hợp)")
        verbose_name_plural = _("báo cáo phải nộp (sổ tổng hợp)")
        constraints = [
            models.UniqueConstraint(fields=["cycle_id", "agency_id", "rule_id"], name="stored_expected_unique"),
        ]
        indexes = [models.Index(fields=["plan_id", "year"], name="stored_expected_plan")]

    def __str__(self) -> str:
        return f"{self.year} · {self.agency_id} · {self.rule_id}: {self.state}"


class StoredTargetFigure(models.Model):
    """One target's figure in one cycle (the sum of the values the accepted reports gave, how many, the lowest and
    the highest), as `reports.cycles.target_figures.target_figures` defines it, stored so that the targets page
    reads 30 rows instead of aggregating 30,000 values nationally (reports.cycles.ledger). Derived data, like
    StoredExpectedReport, and current with it (one LedgerStamp for both)."""

    plan_id = models.BigIntegerField()
    target_id = models.BigIntegerField()
    cycle_id = models.BigIntegerField()
    year = models.IntegerField()
    total = models.DecimalField(max_digits=24, decimal_places=2)
    reporters = models.IntegerField()
    low = models.DecimalField(max_digits=12, decimal_places=2)
    high = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("số liệu chỉ tiêu (sổ tổng hợp)")
        verbose_name_plural = _("số liệu chỉ tiêu (sổ tổng hợp)")
        constraints = [models.UniqueConstraint(fields=["target_id", "cycle_id"], name="stored_target_unique")]
        indexes = [models.Index(fields=["plan_id", "target_id", "year"], name="stored_target_plan")]

    def __str__(self) -> str:
        return f"{self.year} · {self.target_id}: {self.total} / {self.reporters}"


class LedgerStamp(models.Model):
    """The number of FiguresChange rows of the EXPECTED and TARGETS topics (changes no workflow step kept) the
    ledger (StoredExpectedReport, StoredTargetFigure) was last rebuilt for; -1 (or no row) when none. The ledger
    is current when the stamp equals the number of such rows a reader sees. Its row lock orders the writers of the
    ledger: a workflow step holds it shared, a rebuild exclusively."""

    changes = models.BigIntegerField(default=-1)

    class Meta:
        verbose_name = _("dấu sổ tổng hợp")
        verbose_name_plural = _("dấu sổ tổng hợp")

    def __str__(self) -> str:
        return str(self.changes)
