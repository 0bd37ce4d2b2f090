"""The dashboard's figures recounted in the worker after a write (reports.dashboard.warming): a workflow step
queues the recount; once it ran, the years page, the overview and the targets page read their figures from the
cache (no counting statement), and those figures are the live ones."""

from __future__ import annotations

import time
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports.dashboard.figures_cache import TIMEOUT_SECONDS, figures_token
from reports.dashboard.progress import target_series
from reports.dashboard.selectors import expected_reports, years_and_agencies
from reports.dashboard.tasks import warm_dashboard_figures
from reports.dashboard.warming import LOCK_KEY, WARMED_KEY, warm_for_seconds
from reports.models import OutboxMessage, Submission, SubmissionStatus
from reports.submissions.checks import FIGURES_WARM_TASK
from reports.submissions.reviews import review_accept

from .dashboard_helpers import dashboard_url, hand_made_cycle

PAGES = ("dashboard", "dashboard_years", "dashboard_targets")


@pytest.fixture(autouse=True)
def no_warming_state():
    cache.delete_many([WARMED_KEY, LOCK_KEY])
    yield
    cache.delete_many([WARMED_KEY, LOCK_KEY])


def _counting_statements(client, plan) -> list[str]:
    """The statements of the three pages that count (the expected reports' tally) or average (the targets)."""
    found = []
    for name in PAGES:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(dashboard_url(name, plan)).status_code == 200
        found += [
            q["sql"]
            for q in queries
            if '"expected_0"' in q["sql"] or ("SUM(" in q["sql"] and "reports_targetvalue" in q["sql"])
        ]
    return found


def _figures(plan) -> tuple:
    every = expected_reports(plan=plan, today=timezone.localdate())
    return years_and_agencies(year_rows=every, agency_rows=every), target_series(plan=plan)


@pytest.mark.django_db(transaction=True)
def test_an_accepted_report_queues_the_recount_and_the_pages_then_count_nothing(client, plan, education_reviewer):
    made = hand_made_cycle(plan)
    client.force_login(education_reviewer)
    assert len(_counting_statements(client, plan)) == 3  # nothing counted yet: each page counts live

    review_accept(submission=made["SNV"], reviewer=education_reviewer)
    assert OutboxMessage.objects.filter(task_name=FIGURES_WARM_TASK).count() == 1
    assert warm_dashboard_figures() is True  # what the worker runs
    assert _counting_statements(client, plan) == []
    # The figures the pages read are those a live count gives.
    cached = _figures(plan)
    with transaction.atomic():  # inside a transaction the cache stands aside
        assert _figures(plan) == cached


@pytest.mark.django_db(transaction=True)
def test_a_version_already_counted_is_skipped_and_a_new_write_is_counted(plan, django_assert_max_num_queries):
    made = hand_made_cycle(plan)
    assert warm_dashboard_figures() is True
    with django_assert_max_num_queries(1):  # the version, read once
        assert warm_dashboard_figures() is False
    Submission.objects.filter(pk=made["Q_LECHAN"].pk).update(status=SubmissionStatus.ACCEPTED)  # no workflow
    assert warm_dashboard_figures() is True  # what the beat then finds


@pytest.mark.django_db(transaction=True)
def test_one_recount_at_a_time(client, plan, education_reviewer):
    hand_made_cycle(plan)
    cache.add(LOCK_KEY, "another worker", timeout=60)
    assert warm_dashboard_figures() is False
    client.force_login(education_reviewer)
    assert len(_counting_statements(client, plan)) == 3


def _cached_figures() -> tuple:
    """Redis itself (the TTLs Django's cache does not show) and the keys of the figures cached under any version,
    under this test's own key prefix."""
    redis = cache._cache.get_client(write=True)  # noqa: SLF001
    keys = redis.keys(cache.make_and_validate_key("figures:*"))
    return redis, [key for key in keys if len(key.rsplit(b":", 1)[-1]) == 64]  # a sha256, not the lock or the mark


@pytest.mark.django_db(transaction=True)
def test_the_beat_writes_the_figures_again_before_they_expire(client, plan, education_reviewer, settings):
    """A version counted `warm_for_seconds` ago is counted again by the beat, which writes every figure anew while
    it is still cached. When the mark and the figures expired together, readers counted live until the next beat,
    with no write at all."""
    # Keys of this test only: the Redis database is shared with other runs.
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": uuid.uuid4().hex}}
    hand_made_cycle(plan)
    assert warm_dashboard_figures() is True
    redis, figures = _cached_figures()
    assert len(figures) >= 3  # the years page's tally, the overview's, the targets' averages
    assert all(redis.ttl(key) > TIMEOUT_SECONDS - 60 for key in figures)
    assert warm_for_seconds() <= TIMEOUT_SECONDS - 3 * settings.FIGURES_WARM_SECONDS

    # Counted a moment ago: the beat leaves the figures alone, even a few seconds from their expiry.
    for key in figures:
        redis.expire(key, 5)
    assert warm_dashboard_figures() is False
    assert all(redis.ttl(key) <= 5 for key in figures)

    # Counted `warm_for_seconds` ago: the beat's run writes them again, whole.
    cache.set(WARMED_KEY, (figures_token(), time.time() - warm_for_seconds() - 1), timeout=TIMEOUT_SECONDS)
    assert warm_dashboard_figures() is True
    assert all(redis.ttl(key) > TIMEOUT_SECONDS - 60 for key in figures)
    client.force_login(education_reviewer)
    assert _counting_statements(client, plan) == []


@pytest.mark.django_db
def test_inside_a_transaction_nothing_is_warmed(plan):
    hand_made_cycle(plan)
    assert warm_dashboard_figures() is False  # the test's transaction: the cache stands aside


def test_the_workflow_and_the_beat_name_the_task_the_worker_knows():
    from hptracker.celery import app

    app.loader.import_default_modules()
    assert FIGURES_WARM_TASK == warm_dashboard_figures.name and FIGURES_WARM_TASK in app.tasks
    beat = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert FIGURES_WARM_TASK in beat
