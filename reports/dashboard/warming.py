"""The dashboard's figures counted in the worker after each write, before a reader asks (issue 11).

The figures cache (`figures_cache`) keeps each count under the version of the data it was counted from, and a
write (a report sent, returned, accepted; a change to the plan or the agencies) makes a new version. Until now
the first reader after a write paid for the recount: nationally the years page's count of 30,000 expected reports,
about 2.4× its city time. Here the worker recounts, as a reader who sees everything would, what the dashboard's
first pages read: the years page (both tables), the overview's completeness of the current cycle and the targets
page's averages. The statements are built by the same functions the pages call, so they are stored under the keys
the pages then look up.

It runs when a workflow step commits (`reports.submissions.checks.record_event` queues it through the outbox) and
every FIGURES_WARM_SECONDS from the beat, which catches every other writer. At most one recount runs at a time (a
lock in the cache); a version already counted is skipped with one query and one cache read. Nothing is stale: a
reader who comes before the recount ends counts live, as before.

A version counted `warm_for_seconds` ago (three beat periods before its figures expire) is counted again by the
beat, which writes every figure anew (`figures_cache.recounting`) while they are still there. When the mark and
the figures expired together, a reader who came between their expiry and the next beat counted live: up to one
beat period in every ten minutes, with no write at all.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from redis.exceptions import RedisError

from plans.models import Plan
from reports.cycles import ledger
from reports.cycles.selectors import expected_reports
from reports.dashboard.access import default_cycle
from reports.dashboard.figures_cache import TIMEOUT_SECONDS, figures_token, recounting
from reports.dashboard.progress import target_series
from reports.dashboard.selectors import completeness_by_kind, years_and_agencies
from reports.models import Cycle

logger = logging.getLogger(__name__)

WARMED_KEY = "figures:warmed"
LOCK_KEY = "figures:warming"
# Longer than a national recount (a third of a second, slowest seen about a second, make bench); a worker killed
# mid-count frees the lock after this.
LOCK_SECONDS = 120
# A write that lands while the recount runs finds the lock and leaves: the holder counts again for it, this many
# times at most (then the beat does).
ROUNDS = 3
# A counted version is counted again this many beat periods before its figures expire.
RENEWAL_BEATS = 3


def warm_for_seconds() -> int:
    """How long a counted version counts as warm: its figures' time in the cache, less RENEWAL_BEATS beats (and
    at least half of it: a beat set slower than that renews at half-life rather than on every run)."""
    return max(TIMEOUT_SECONDS // 2, int(TIMEOUT_SECONDS - RENEWAL_BEATS * settings.FIGURES_WARM_SECONDS))


def dashboard_figures_warm(*, today: datetime.date | None = None) -> bool:
    """Count the dashboard's main figures under the current version of the data unless that version was already
    counted or another worker is counting (it counts again for writes that land meanwhile). True when it
    counted."""
    token = figures_token()
    if token is None:  # SQLite (`make run`), or inside a transaction: no cache to fill
        return False
    try:
        marked = cache.get(WARMED_KEY)  # (the version counted, when)
        # The same version counted again near its figures' expiry writes them anew; a new version reads back what
        # readers already counted under it.
        renewing = isinstance(marked, tuple) and marked[0] == token
        if renewing and time.time() - marked[1] < warm_for_seconds():
            return False
        if not cache.add(LOCK_KEY, token, timeout=LOCK_SECONDS):
            return False
    except (RedisError, OSError):
        logger.warning("figures cache unavailable: nothing warmed", exc_info=True)
        return False
    today = today or timezone.localdate()
    try:
        if not ledger.is_current():
            # A write no workflow step kept (the plan, the agencies, the admin, a bulk load): the ledger is written
            # again first, so that the recount below, and every reader after it, counts from it.
            ledger.rebuild()
        for _round in range(ROUNDS):
            with recounting() if renewing else contextlib.nullcontext():
                _count_main_figures(today)
            cache.set(WARMED_KEY, (token, time.time()), timeout=TIMEOUT_SECONDS)
            counted, token, renewing = token, figures_token(), False
            if token is None or token == counted:
                break
    except (RedisError, OSError):
        logger.warning("figures cache unavailable: warming stopped", exc_info=True)
    finally:
        try:
            cache.delete(LOCK_KEY)
        except (RedisError, OSError):
            logger.warning("figures cache unavailable: the warming lock expires by itself", exc_info=True)
    return True


def _count_main_figures(today: datetime.date) -> None:
    """What the pages read first, built by the functions they call, for a reader who sees everything."""
    for plan in Plan.objects.all():
        cycles = list(Cycle.objects.filter(plan=plan).order_by("-year"))
        if not cycles:
            continue
        every = expected_reports(plan=plan, today=today)
        years_and_agencies(year_rows=every, agency_rows=every)
        cycle = default_cycle(cycles, today)
        completeness_by_kind(expected_reports(plan=plan, cycle=cycle, today=today))
        target_series(plan=plan)
