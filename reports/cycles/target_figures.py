"""THE definition of the targets' figures: for each target of a plan and each cycle, the values the accepted
reports gave (their sum, how many reported, the lowest and the highest).

The targets page (reports.dashboard.progress.target_series) and the ledger (reports.cycles.ledger, which stores
these rows so that the page reads 30 rows instead of aggregating 30,000 values nationally) both read this query;
the mean each shows is `mean`, computed from the sum and the count, the same way whichever the rows come from.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, F, Max, Min, QuerySet, Sum

from hptracker.formatting import round_half_up
from reports.models import Submission, SubmissionStatus, TargetValue

# The statuses whose content makes the figures (task status, progress, targets): accepted only. The dashboard
# and the consolidated report use the same; a report waiting for review is received, not yet a figure. The
# change triggers (migration 0022) ignore target values written to reports in any other status: such a write
# changes no figure.
FIGURE_STATUSES = (SubmissionStatus.ACCEPTED,)
COLUMNS = ("target_id", "cycle_id", "year", "total", "reporters", "low", "high")


def target_figures(
    *, plan_id: int, cycle_id: int | None = None, submissions: QuerySet[Submission] | None = None
) -> QuerySet:
    """One values() row per (target, cycle) with COLUMNS, over the accepted reports of the plan (of `cycle_id`,
    of `submissions` when given), ordered by target and year."""
    values = TargetValue.objects.filter(target__plan_id=plan_id, submission__status__in=FIGURE_STATUSES)
    if cycle_id is not None:
        values = values.filter(submission__cycle_id=cycle_id)
    if submissions is not None:
        values = values.filter(submission__in=submissions.values("pk"))
    return (
        values.order_by()
        .values("target_id", cycle_id=F("submission__cycle_id"), year=F("submission__cycle__year"))
        .annotate(total=Sum("value"), reporters=Count("pk"), low=Min("value"), high=Max("value"))
        .order_by("target_id", "year")
    )


def mean(total: Decimal, reporters: int) -> Decimal:
    """The mean a target's figure shows: total ÷ reporters, rounded half up to one decimal."""
    return round_half_up(Decimal(total) / reporters)
