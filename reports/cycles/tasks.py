"""Celery adapter for the yearly cycle: beat wakes it (the schedule lives in settings); the work is
reports.cycles.services.cycle_open, which is idempotent, so a second run or a retry changes nothing."""

from __future__ import annotations

from celery import shared_task
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from plans.models import Plan
from reports.cycles.services import cycle_open


@shared_task(name="reports.cycles.tasks.open_current_cycle", acks_late=True)
def open_current_cycle(year: int | None = None) -> list[int]:
    """Open this year's cycle of every plan whose period (up to its orientation year, as `open_cycle` reads
    it) covers the year. Returns the cycle ids."""
    year = year or timezone.localdate().year
    plans = (
        Plan.objects.annotate(last_year=Coalesce("oriented_to", "horizon_end"))
        .filter(Q(horizon_start__lte=year) & Q(last_year__gte=year))
        .order_by("pk")
    )
    return [cycle_open(plan=plan, year=year).pk for plan in plans]
