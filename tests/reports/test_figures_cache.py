"""The figures cache (reports.dashboard.figures_cache): a count is cached under the version of the data, which
PostgreSQL triggers change in every transaction that writes what the expected reports are built from. A cached
count must never be read after that data changed, whatever wrote it; the triggers must cover every table (and
every submission column) the counting statement reads."""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency
from plans.models import DutyItem
from reports.dashboard.figures_cache import figures_token
from reports.dashboard.progress import target_series
from reports.dashboard.selectors import ReportState, expected_reports, tallies
from reports.models import (
    CycleDeadline,
    FiguresChange,
    FiguresVersion,
    Submission,
    SubmissionStatus,
    TargetValue,
)

from .dashboard_helpers import TODAY, dashboard_url, hand_made_cycle

TRIGGERED_TABLES = """
SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
 WHERE t.tgname IN ('figures_changed', 'figures_changed_update') AND NOT t.tgisinternal
"""


def _counting_statement(client, plan, user) -> str:
    """The SQL of the years page's count for `user` (inside the test's transaction the cache stands aside, so
    the statement runs)."""
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(dashboard_url("dashboard_years", plan)).status_code == 200
    (statement,) = [q["sql"] for q in queries if '"expected_0"' in q["sql"]]
    return statement


def _folding_statement(client, plan, user) -> str:
    """The SQL of the successions the years page by today's units folds its rows along (`lineage.agency_heirs`):
    the folded rows are kept under the figures' version too (`kept_here`)."""
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(dashboard_url("dashboard_years", plan, group="today")).status_code == 200
    (statement,) = [q["sql"] for q in queries if "WITH RECURSIVE chain" in q["sql"]]
    return statement


def _averaging_statement(client, plan, user) -> str:
    """The SQL of the targets page's averages for `user`, the other cached figure."""
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(dashboard_url("dashboard_targets", plan)).status_code == 200
    (statement,) = [q["sql"] for q in queries if "SUM(" in q["sql"] and "reports_targetvalue" in q["sql"]]
    return statement


@pytest.mark.django_db
def test_the_triggers_cover_every_table_and_submission_column_the_count_reads(
    client, plan, education_reviewer, labour_reviewer
):
    hand_made_cycle(plan)
    readers = (education_reviewer, labour_reviewer)
    counting = [_counting_statement(client, plan, user) for user in readers]
    averaging = [_averaging_statement(client, plan, user) for user in readers]
    folding = [_folding_statement(client, plan, user) for user in readers]
    statements = counting + averaging + folding
    tables = {model._meta.db_table for model in apps.get_models(include_auto_created=True)}
    read = {table for table in tables for sql in statements if f'"{table}"' in sql}
    assert "plans_rulerecipient" in read  # the Sở LĐTB&XH reviewer's scope: what is addressed to it
    with connection.cursor() as cursor:
        cursor.execute(TRIGGERED_TABLES)
        triggered = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = 'figures_changed_update' AND c.relname = 'reports_submission'"
        )
        (update_trigger,) = cursor.fetchone()
    assert read == triggered
    assert {"plans_target", "reports_targetvalue", "agencies_agencysuccession"} <= read
    # The submission is joined as "own" in the count and by its name in the averages: every column of it either
    # statement reads must fire the update trigger.
    columns = {column for sql in counting for column in re.findall(r'\bown\."(\w+)"', sql)}
    columns |= {column for sql in averaging for column in re.findall(r'"reports_submission"\."(\w+)"', sql)}
    assert columns and {"status", "first_submitted_at", "cycle_id"} <= columns
    assert {c for c in columns if f"old.{c}" not in update_trigger.lower().replace('"', "")} == set()


def _count(plan) -> dict:
    return tallies(by_year=(expected_reports(plan=plan, today=TODAY), ("year",)))["by_year"][(2024,)]


def _live(plan) -> dict:
    with transaction.atomic():  # inside a transaction the cache stands aside
        return _count(plan)


def _after(write, compute):
    """`write()` must give the figures a new version, and `compute()` then give what it gives live."""
    before = figures_token()
    write()
    assert figures_token() != before
    value = compute()
    with transaction.atomic():  # inside a transaction the cache stands aside: the live figures
        assert value == compute()
    return value


@pytest.mark.django_db(transaction=True)
def test_a_cached_count_is_never_read_after_the_data_it_counts_changed(plan, django_assert_num_queries):
    made = hand_made_cycle(plan)
    first = _count(plan)
    assert first == _live(plan) and first[ReportState.RETURNED] == 1
    with django_assert_num_queries(1):  # the version only: the count comes from the cache
        assert _count(plan) == first

    def changed(write) -> dict:
        return _after(write, lambda: _count(plan))

    lechan = made["Q_LECHAN"]
    # A queryset update (no model signal), then raw SQL, then the agency's dates, its duty, the deadline.
    moved = changed(lambda: Submission.objects.filter(pk=lechan.pk).update(status=SubmissionStatus.ACCEPTED))
    assert moved[ReportState.RETURNED] == 0 and moved[ReportState.ON_TIME] == first[ReportState.ON_TIME] + 1

    def raw_sql():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE reports_submission SET status = %s WHERE id = %s", ["returned", lechan.pk])

    assert changed(raw_sql) == first
    snv = Agency.objects.get(code="SNV")
    ended = changed(lambda: Agency.objects.filter(pk=snv.pk).update(valid_to=datetime.date(2024, 1, 31)))
    assert ended["expected"] == first["expected"] - 1
    Agency.objects.filter(pk=snv.pk).update(valid_to=None)
    item = DutyItem.objects.filter(agencies=snv).first()
    assert changed(lambda: item.agencies.remove(snv))["expected"] == first["expected"] - 1
    item.agencies.add(snv)
    deadline = CycleDeadline.objects.get(cycle=made["cycle"], rule=made["SNV"].rule)
    earlier = changed(lambda: CycleDeadline.objects.filter(pk=deadline.pk).update(due_on=datetime.date(2024, 11, 1)))
    assert earlier[ReportState.LATE] > first[ReportState.LATE]


def _averages(plan) -> list:
    return [(s.target.code, [(p.year, p.value, p.reporters) for p in s.points]) for s in target_series(plan=plan)]


@pytest.mark.django_db(transaction=True)
def test_cached_target_averages_are_never_read_after_a_value_or_a_target_changed(plan, django_assert_num_queries):
    made = hand_made_cycle(plan)
    Submission.objects.filter(pk=made["SNV"].pk).update(status=SubmissionStatus.ACCEPTED)
    target = plan.targets.get(code="truong-chuan-quoc-gia")
    value = TargetValue.objects.create(submission=made["SNV"], target=target, value=60)
    first = _averages(plan)
    assert ("truong-chuan-quoc-gia", [(2024, 60, 1)]) in first
    with django_assert_num_queries(2):  # the version and the targets: the averages come from the cache
        assert _averages(plan) == first

    def changed(write) -> list:
        return _after(write, lambda: _averages(plan))

    raised = changed(lambda: TargetValue.objects.filter(pk=value.pk).update(value=70))
    assert ("truong-chuan-quoc-gia", [(2024, 70, 1)]) in raised
    other = plan.targets.exclude(pk=target.pk).first()
    moved = changed(lambda: TargetValue.objects.filter(pk=value.pk).update(target=other))
    assert ("truong-chuan-quoc-gia", []) in moved and (other.code, [(2024, 70, 1)]) in moved
    assert changed(lambda: TargetValue.objects.filter(pk=value.pk).delete()) != moved


@pytest.mark.django_db(transaction=True)
def test_a_draft_saved_with_new_text_keeps_the_cached_count(plan, django_assert_num_queries):
    made = hand_made_cycle(plan)
    _count(plan)
    before = figures_token()
    Submission.objects.filter(pk=made["SKHDT"].pk).update(proposals="Đề nghị bổ sung kinh phí.")
    assert figures_token() == before
    with django_assert_num_queries(1):
        _count(plan)


@pytest.mark.django_db(transaction=True)
def test_after_a_flush_the_version_comes_back_and_counts_are_cached_again(plan):
    hand_made_cycle(plan)
    FiguresVersion.objects.all().delete()
    token = figures_token()
    assert token and FiguresVersion.objects.get().token in token
    assert _count(plan) == _live(plan)


@pytest.mark.django_db(transaction=True)
def test_the_years_page_is_counted_live_when_the_cache_does_not_answer(client, plan, education_reviewer, settings):
    made = hand_made_cycle(plan)
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
    }
    client.force_login(education_reviewer)
    response = client.get(dashboard_url("dashboard_years", plan))
    assert response.status_code == 200
    years = {line.label: line for line in response.context["years_table"].data.data}
    assert years["2024"].returned == 1
    Submission.objects.filter(pk=made["Q_LECHAN"].pk).update(status=SubmissionStatus.ACCEPTED)
    years = {
        line.label: line for line in client.get(dashboard_url("dashboard_years", plan)).context["years_table"].data.data
    }
    assert years["2024"].returned == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("page", ["dashboard", "dashboard_years"])
def test_a_cold_cache_counts_once_and_the_pages_stay_within_twelve(client, plan, education_reviewer, page):
    hand_made_cycle(plan)
    client.force_login(education_reviewer)
    url = dashboard_url(page, plan)
    client.get(url)

    def one_request() -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return [q["sql"] for q in queries]

    def counting(statements: list[str]) -> list[str]:
        return [sql for sql in statements if '"expected_0"' in sql]

    warm = one_request()
    assert counting(warm) == []  # the counts come from the cache, what is built from them from the worker's memory
    FiguresVersion.objects.update(token=uuid.uuid4().hex)  # as a restore does; unique: Redis outlives a test run
    cold = one_request()
    # The counting statement, and on the years page the agencies' names for the rows built from the count.
    assert len(counting(cold)) == 1 and len(cold) - len(warm) == (2 if page == "dashboard_years" else 1)
    assert len(cold) <= 12
    assert len(one_request()) == len(warm)


@pytest.mark.django_db(transaction=True)
def test_two_writers_never_wait_for_each_other_over_the_figures(plan):
    """Each committing writer records its change by adding a row: a writer whose change is recorded (its deferred
    triggers run, its transaction still open) does not hold up another. The first design updated one shared row,
    which made writers queue and could deadlock with the row locks of Django's deferred foreign-key checks."""
    import psycopg2

    made = hand_made_cycle(plan)
    settings = connection.settings_dict

    def writer():
        opened = psycopg2.connect(
            dbname=settings["NAME"], user=settings["USER"], host=settings["HOST"], port=settings["PORT"] or 5432
        )
        opened.autocommit = False
        return opened

    first, second = writer(), writer()
    try:
        with first.cursor() as cursor:
            cursor.execute("UPDATE reports_submission SET status = 'accepted' WHERE id = %s", [made["SNV"].pk])
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the change is recorded now; the transaction stays open
        with second.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
            cursor.execute("UPDATE reports_submission SET status = 'accepted' WHERE id = %s", [made["CATP"].pk])
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # waited 2 s, then failed, with one shared row
        second.commit()
        first.commit()
    finally:
        first.close()
        second.close()
    assert FiguresChange.objects.count() >= 2


@pytest.mark.django_db(transaction=True)
def test_every_family_of_the_years_page_reads_the_one_cached_count(client, plan, education_reviewer):
    """The family filter picks among the whole count's rows: once the page has been counted, switching families
    counts nothing again (each family had its own statement, each counted on its first visit)."""
    hand_made_cycle(plan)
    client.force_login(education_reviewer)
    assert client.get(dashboard_url("dashboard_years", plan)).status_code == 200
    for family in ("department", "district", "other"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(dashboard_url("dashboard_years", plan, kind=family)).status_code == 200
        assert not [q for q in queries if '"expected_0"' in q["sql"]], family
