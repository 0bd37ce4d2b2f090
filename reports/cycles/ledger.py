"""The ledger: every expected report and its state, and the targets' figures, stored (issue 11, "summary tables").

Counting the expected reports from their definition (`selectors.expected_reports`) joins nine tables: about
45 ms of SQL nationally (30,000 expected reports) for every figure the dashboard shows, which the figures cache
(reports.dashboard.figures_cache) saves only until the next write. The ledger keeps the same rows (agency, rule,
cycle, its year, the agency's family and the state) in one narrow table, StoredExpectedReport; counting them
takes about 10 ms. The targets page likewise averages every accepted report's values (30,000 nationally, about
25 ms); the ledger keeps their sums per target and cycle (StoredTargetFigure, 30 rows). It is never a second
definition: every row in it is written by INSERT … SELECT from `expected_reports` or `target_figures`.

It is read only when it is current: LedgerStamp.changes equals the number of FiguresChange rows of the EXPECTED
and TARGETS topics the reader sees (`current_sql`, read in the same statement as the figures' version). Two
writers keep it so:
- a workflow step (sent, returned, accepted, reopened, a report started: `keep`, called by
  reports.submissions.checks.record_event in the step's transaction) rewrites its own report's row (and, when the
  report enters or leaves the accepted ones, its cycle's target figures: `keep_targets`) and adds one change
  row of the KEPT topic (which moves the figures' version, not the stamp). The PostgreSQL triggers (migration
  0018) record nothing for its submission as it kept it, and anything else written in that transaction, or by
  anyone else, under EXPECTED or TARGETS: a row the stamp does not count, so the ledger is no longer current;
- `rebuild` (the worker, reports.dashboard.warming, after such writes: the plan, the agencies, bulk loads, the
  admin) counts the EXPECTED and TARGETS changes it sees, then makes the rows what the definition gives after
  that (writing only the rows that differ, `_merge`), and sets the stamp to that count. A change that commits
  between the two is in the rows but not in the count: stale, never current by accident.
A step holds the stamp's row lock shared, a rebuild exclusively: steps wait for one another only to rewrite the
target figures of one cycle (an acceptance, a reopening: `keep_targets`), and a rebuild waits for the steps under
way (and they for it), so the two never write the same row at once. SQLite (`make run`)
has no triggers: there the ledger is never current and the figures are counted from their definition.
"""

from __future__ import annotations

import datetime

from django.db import connections, transaction
from django.db.models import BigIntegerField, QuerySet, Value

from plans.models import Plan
from reports.cycles import target_figures
from reports.cycles.selectors import WHOLE_SCOPE, expected_reports
from reports.models import (
    FiguresChange,
    FiguresTopic,
    LedgerStamp,
    StoredExpectedReport,
    StoredTargetFigure,
    Submission,
)

COLUMNS = ("plan_id", "cycle_id", "year", "rule_id", "agency_id", "kind_group", "state")
# The day does not matter: what is stored (the state) does not depend on it, only days_late does.
ANY_DAY = datetime.date(2000, 1, 1)


def _quote(database: str):
    return connections[database].ops.quote_name


def stamp_sql(database: str = "default") -> str:
    """A SQL expression: the stamp's count of changes (-1 when there is no stamp)."""
    stamp = _quote(database)(LedgerStamp._meta.db_table)
    return f"COALESCE((SELECT s.changes FROM {stamp} s WHERE s.id = {STAMP_ID}), -1)"


# The topics of the changes the stamp counts: those to what the ledger's rows are built from.
COUNTED_TOPICS = (FiguresTopic.EXPECTED, FiguresTopic.TARGETS)


def counted_changes_sql() -> str:
    """A SQL aggregate over FiguresChange: the changes the stamp counts (COUNTED_TOPICS)."""
    topics = ", ".join(f"'{topic}'" for topic in COUNTED_TOPICS)
    return f"COUNT(*) FILTER (WHERE topic IN ({topics}))"


def current_sql(database: str = "default") -> str:
    """A SQL expression, true when the ledger is current for the reader (see the module's docstring)."""
    changes = _quote(database)(FiguresChange._meta.db_table)
    return f"{stamp_sql(database)} = (SELECT {counted_changes_sql()} FROM {changes})"


def is_current(database: str = "default") -> bool:
    connection = connections[database]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {current_sql(database)}")
        return bool(cursor.fetchone()[0])


def stored_rows(rows: QuerySet) -> QuerySet | None:
    """The ledger's rows standing for `rows` when they are a whole plan's (or cycle's) expected reports as
    `expected_reports` returns them, unfiltered; None for any other set of rows."""
    scope = getattr(rows, WHOLE_SCOPE, None)
    if scope is None:
        return None
    plan_id, cycle_id = scope
    stored = StoredExpectedReport.objects.using(rows.db).filter(plan_id=plan_id)
    return stored.filter(cycle_id=cycle_id) if cycle_id is not None else stored


def stored_target_figures(plan_id: int, database: str = "default") -> QuerySet:
    """The ledger's rows standing for `target_figures(plan_id=plan_id)`: the same values() rows, in the same order."""
    return (
        StoredTargetFigure.objects.using(database)
        .filter(plan_id=plan_id)
        .order_by("target_id", "year")
        .values(*target_figures.COLUMNS)
    )


def _definition(rows: QuerySet, plan_id: int) -> tuple[str, list]:
    selected = rows.annotate(plan_id=Value(plan_id, output_field=BigIntegerField())).order_by().values(*COLUMNS)
    sql, parameters = selected.query.get_compiler(using=selected.db).as_sql()
    return sql, list(parameters)


def _insert(rows: QuerySet, plan_id: int, database: str) -> None:
    quote = _quote(database)
    sql, parameters = _definition(rows, plan_id)
    columns = ", ".join(quote(column) for column in COLUMNS)
    with connections[database].cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(StoredExpectedReport._meta.db_table)} ({columns}) {sql}", parameters)


def _insert_target_figures(plan_id: int, cycle_id: int | None, database: str) -> None:
    rows = target_figures.target_figures(plan_id=plan_id, cycle_id=cycle_id).using(database)
    sql, parameters = rows.query.get_compiler(using=database).as_sql()
    quote = _quote(database)
    columns = ", ".join(quote(column) for column in ("plan_id", *target_figures.COLUMNS))
    selected = ", ".join(f"q.{quote(column)}" for column in target_figures.COLUMNS)
    with connections[database].cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(StoredTargetFigure._meta.db_table)} ({columns}) SELECT %s, {selected} FROM ({sql}) q",
            [plan_id, *parameters],
        )


KEPT_ROWS = "reports.ledger_kept"  # the fingerprints of the submissions kept (read by the triggers, migration 0018)
KEPT_FLAG = "reports.figures_kept_change"  # set once a step of this transaction added its KEPT change row
# Set by the triggers (migration 0018) once they recorded a change of that topic in this transaction.
UNKEPT_FLAGS = tuple(f"reports.figures_changed_{topic}" for topic in COUNTED_TOPICS)
# pg_advisory_xact_lock(TARGETS_LOCK, cycle id): steps that rewrite a cycle's target figures, one at a time.
TARGETS_LOCK = 193_022
STAMP_ID = 1


def _locked_stamp(database: str, *, exclusive: bool) -> None:
    """Take the stamp's row lock (creating the row, race-free, after a flush)."""
    table = _quote(database)(LedgerStamp._meta.db_table)
    with connections[database].cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (id, changes) VALUES (%s, -1) ON CONFLICT (id) DO NOTHING", [STAMP_ID])
        cursor.execute(
            f"SELECT changes FROM {table} WHERE id = %s FOR {'UPDATE' if exclusive else 'SHARE'}", [STAMP_ID]
        )


def keep(submission: Submission, *, targets: bool = False) -> bool:
    """In the transaction of a workflow step, after it wrote `submission`: rewrite its expected report's row in the
    ledger (and its cycle's target figures when `targets`: the report entered or left the accepted ones) and
    record the change as kept (True when done; False on SQLite)."""
    database = submission._state.db or "default"
    connection = connections[database]
    if connection.vendor != "postgresql":
        return False
    _locked_stamp(database, exclusive=False)
    table = _quote(database)(StoredExpectedReport._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table} WHERE cycle_id = %s AND agency_id = %s AND rule_id = %s",
            [submission.cycle_id, submission.agency_id, submission.rule_id],
        )
        cursor.execute(
            "SELECT reports_submission_fingerprint(s) FROM reports_submission s WHERE s.id = %s", [submission.pk]
        )
        (fingerprint,) = cursor.fetchone()
        # Read by the deferred triggers at commit: a change to this row that leaves it as it is now is this step's.
        cursor.execute(
            "SELECT set_config(%s, concat_ws(' ', NULLIF(current_setting(%s, true), ''), %s::text), true)",
            [KEPT_ROWS, KEPT_ROWS, fingerprint],
        )
        cursor.execute("SELECT current_setting(%s, true)", [KEPT_FLAG])
        if cursor.fetchone()[0] != "yes":
            # The transaction's one KEPT change: the figures' version moves, the ledger stays current.
            cursor.execute(
                f"INSERT INTO {_quote(database)(FiguresChange._meta.db_table)} (at, topic) VALUES (now(), %s)",
                [FiguresTopic.KEPT],
            )
            cursor.execute("SELECT set_config(%s, 'yes', true)", [KEPT_FLAG])
    rows = expected_reports(cycle=submission.cycle, agency=submission.agency, today=ANY_DAY)
    _insert(rows.filter(rule_id=submission.rule_id), submission.cycle.plan_id, database)
    if targets:
        keep_targets(submission, database)
    return True


def keep_targets(submission: Submission, database: str) -> None:
    """Rewrite the target figures of `submission`'s cycle. A minimum or a maximum cannot be taken back by a
    difference, so the cycle's rows are counted again (3,000 values nationally). Two steps of one cycle do it one
    after the other: the second counts once the first has committed (each statement after the lock sees it), where
    two counts at once would each miss the other's report."""
    with connections[database].cursor() as cursor:
        # The two-int4 form: a cycle id beyond 2^31 shares its key with another cycle, which only makes them wait.
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [TARGETS_LOCK, submission.cycle_id % 2**31])
        cursor.execute(
            f"DELETE FROM {_quote(database)(StoredTargetFigure._meta.db_table)} WHERE cycle_id = %s",
            [submission.cycle_id],
        )
    _insert_target_figures(submission.cycle.plan_id, submission.cycle_id, database)


def rebuild(database: str = "default") -> int:
    """Make the ledger hold every expected report and every target figure of every plan as defined now, and
    current (the number of expected reports held)."""
    connection = connections[database]
    if connection.vendor != "postgresql":
        return 0
    with transaction.atomic(using=database):
        _locked_stamp(database, exclusive=True)
        # Counted before the rows are read (each statement sees what committed before it): every change counted is
        # in the rows; one that commits in between is in the rows only, and leaves the ledger stale.
        seen = FiguresChange.objects.using(database).filter(topic__in=COUNTED_TOPICS).count()
        with connection.cursor() as cursor:
            # This transaction's own change, already recorded: its later writes would add no row (the triggers
            # record one per transaction), so no count can vouch for the ledger until it commits.
            for flag in UNKEPT_FLAGS:
                cursor.execute("SELECT current_setting(%s, true)", [flag])
                if cursor.fetchone()[0] == "yes":
                    seen = -1
        plans = list(Plan.objects.using(database))
        _merge([_definition(expected_reports(plan=plan, today=ANY_DAY), plan.pk) for plan in plans], database)
        # 30 rows: written anew (the expected reports are merged to spare 30,000 rows their dead copies).
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {_quote(database)(StoredTargetFigure._meta.db_table)}")
        for plan in plans:
            _insert_target_figures(plan.pk, None, database)
        LedgerStamp.objects.using(database).filter(pk=STAMP_ID).update(changes=seen)
        return StoredExpectedReport.objects.using(database).count()


KEY = ("cycle_id", "agency_id", "rule_id")  # the ledger's unique key (stored_expected_unique)


def _merge(definitions: list[tuple[str, list]], database: str) -> None:
    """Make the ledger hold exactly the rows of `definitions` (each plan's SELECT of COLUMNS), writing only the rows
    that differ: those no longer expected are deleted, the new ones inserted, the changed ones updated, the rest
    left alone. Rewriting all 30,000 rows on every rebuild left 30,000 dead ones each time (357,000 after a dozen
    rebuilds where autovacuum is off, and the count read 4,651 pages for 29,751 rows: 27 ms instead of 10)."""
    quote = _quote(database)
    table = quote(StoredExpectedReport._meta.db_table)
    columns = ", ".join(quote(column) for column in COLUMNS)
    same_key = " AND ".join(f"w.{quote(column)} = s.{quote(column)}" for column in KEY)
    others = [column for column in COLUMNS if column not in KEY]
    updated = ", ".join(f"{quote(column)} = EXCLUDED.{quote(column)}" for column in others)
    differs = (
        f"({', '.join(f's.{quote(column)}' for column in others)}) IS DISTINCT FROM "
        f"({', '.join(f'EXCLUDED.{quote(column)}' for column in others)})"
    )
    wanted = " UNION ALL ".join(f"({sql})" for sql, _parameters in definitions) or (
        f"SELECT {columns} FROM {table} WHERE FALSE"
    )
    # One statement: the DELETE in WITH and the INSERT see the same snapshot and touch disjoint rows (the DELETE
    # those not wanted, the INSERT those wanted), and PostgreSQL runs a data-modifying WITH whether read or not.
    statement = (
        f"WITH wanted ({columns}) AS MATERIALIZED ({wanted}), "
        f"gone AS (DELETE FROM {table} s WHERE NOT EXISTS (SELECT 1 FROM wanted w WHERE {same_key})) "
        f"INSERT INTO {table} AS s ({columns}) SELECT {columns} FROM wanted "
        f"ON CONFLICT ({', '.join(quote(column) for column in KEY)}) DO UPDATE SET {updated} WHERE {differs}"
    )
    with connections[database].cursor() as cursor:
        cursor.execute(statement, [parameter for _sql, parameters in definitions for parameter in parameters])
