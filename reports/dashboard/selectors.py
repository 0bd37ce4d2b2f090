"""Completeness of a cycle as DHIS2 measures it, computed in PostgreSQL.

The unit is the *expected report* and its state, both defined once, in `reports.cycles.selectors` (one row per
agency and rule, whatever the duty items; on time by the first sending). Here they are counted:
expected = on_time + late + returned + missing, reporting rate = (on_time + late) ÷ expected and
on-time rate = on_time ÷ expected, rounded half up (hptracker.formatting).

Task progress, coverage, targets and difficulties live in `progress`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, name_order
from hptracker.formatting import percent
from plans.models import Plan
from reports.cycles import ledger
from reports.cycles.selectors import COUNTED, KindGroup, ReportState, expected_reports
from reports.dashboard.figures_cache import Version, cached_count, kept_here, statement_key
from reports.models import Cycle

__all__ = [
    "COUNTS",
    "COUNTED",
    "Completeness",
    "KindGroup",
    "ReportState",
    "agency_completeness",
    "completeness_by_kind",
    "completeness_by_year",
    "expected_reports",
    "plan_cycles",
    "tallies",
    "years_and_agencies",
]

COUNTS = ("expected", "on_time", "late", "returned", "missing")
Tally = dict[tuple, dict[str, int]]  # {key values: {"expected": n, and n for each state (0 included)}}


@dataclass(frozen=True)
class Completeness:
    """One line of completeness: the whole plan, a family of agencies, an agency or a year."""

    label: str
    expected: int
    on_time: int
    late: int
    returned: int
    missing: int
    key: str = ""

    @property
    def submitted(self) -> int:
        return self.on_time + self.late

    @property
    def reporting_rate(self) -> Decimal | None:
        """Submitted ÷ expected, in percent (one decimal, half up); None when nothing is expected (not 0%:
        nothing was owed)."""
        return percent(self.submitted, self.expected)

    @property
    def on_time_rate(self) -> Decimal | None:
        return percent(self.on_time, self.expected)

    @classmethod
    def from_row(cls, label: str, row: dict, key: str = "") -> Completeness:
        return cls(label=str(label), key=key, **{k: row.get(k) or 0 for k in COUNTS})


class FigureRow(dict):
    """A completeness table's dict row (per agency, per set of today's units): the COUNTS, and the figures
    `Completeness` derives from them (submitted, both rates) computed when read, so that a page showing 50 of
    3,000 agencies rounds 100 rates, not 6,000. Reading a derived key through [] computes it (`in` and .get do
    not); it is not stored: the rows are shared by every reader of a version (figures_cache.kept_here), and stay
    as they were built."""

    DERIVED = ("submitted", "reporting_rate", "on_time_rate")

    def __missing__(self, key: str):
        if key not in self.DERIVED:
            raise KeyError(key)
        return getattr(Completeness.from_row("", self), key)


@dataclass
class _Source:
    """One distinct set of expected reports in a `tallies` statement: its SELECT of every grouping's keys and the
    state, compiled once."""

    sql: str
    parameters: list
    database: str
    # The same rows in the ledger (reports.cycles.ledger) when they are a whole plan's or cycle's: compiled only
    # when a count reads them (a cache miss with the ledger current), not on every request.
    stored: QuerySet | None = None


def _compiled(rows: QuerySet, keys: list[str]) -> tuple[str, list]:
    """The SELECT of `keys` and the state over `rows` (EmptyResultSet when they can match nothing)."""
    sql, parameters = rows.order_by().values(*keys, "state").query.get_compiler(using=rows.db).as_sql()
    return sql, list(parameters)


def _sources(
    groupings: dict[str, tuple[QuerySet, Sequence[str]]], keys: list[str]
) -> tuple[list[_Source], dict[str, int]]:
    """The distinct sets of rows (told apart by their SQL, each selecting `keys` and the state) and, per grouping,
    the index of its set; a grouping over rows that can match nothing (`.none()`, an invalid filter) has none."""
    sources: list[_Source] = []
    index_of: dict[tuple[str, str], int] = {}
    source_of: dict[str, int] = {}
    for name, (rows, _keys) in groupings.items():
        try:
            sql, parameters = _compiled(rows, keys)
        except EmptyResultSet:
            continue
        index = source_of[name] = index_of.setdefault((sql, repr(parameters)), len(sources))
        if index == len(sources):
            sources.append(_Source(sql=sql, parameters=parameters, database=rows.db, stored=ledger.stored_rows(rows)))
    return sources, source_of


def _mask(keys: tuple[str, ...], used: list[str]) -> int:
    """GROUPING(a, b, …) of a row grouped by `keys`: the bit of each of `used` it is NOT grouped by, the first one
    highest."""
    return sum(1 << (len(used) - 1 - at) for at, key in enumerate(used) if key not in keys)


def tallies(**groupings: tuple[QuerySet, Sequence[str]]) -> dict[str, Tally]:
    """Expected reports counted by state for each grouping `name=(rows, keys)`: {name: {key values: {"expected": n,
    state: n}}}, in ONE SQL statement whatever the number of groupings.

    Each distinct set of rows is read once: its groupings are the GROUPING SETS of one aggregate, each state
    counted in its own column (COUNT(*) FILTER), and the sets of rows joined by UNION ALL. The years page counts
    by year and by agency: one pass over the 30,000 expected reports nationally, 3,010 rows back (it was a
    materialized CTE read twice and grouped by state too: 64 ms of SQL and 8,148 rows; now 44 ms). Rows that can
    match nothing count nothing. The result is cached until the data it was counted from changes
    (`figures_cache`); a whole plan's or cycle's rows are read from the ledger when it is current (13.6 ms)."""
    result: dict[str, Tally] = {name: {} for name in groupings}
    every_key = list(dict.fromkeys(key for _rows, keys in groupings.values() for key in keys))
    sources, source_of = _sources(groupings, every_key)
    if not sources:
        return result
    states = COUNTS[1:]  # every ReportState, in the order of COUNTS
    database = sources[0].database
    quote = connections[database].ops.quote_name
    # Per source: its groupings' distinct key sets and the keys they use (the arguments of GROUPING()).
    shapes: list[tuple[list[tuple[str, ...]], list[str]]] = []
    # (source index, GROUPING() bitmask) -> the groupings whose rows these are (two groupings may ask the same).
    readers: dict[tuple[int, int], list[tuple[Tally, Callable[[tuple], tuple]]]] = {}
    for index in range(len(sources)):
        mine = [(name, tuple(keys)) for name, (_rows, keys) in groupings.items() if source_of.get(name) == index]
        sets = list(dict.fromkeys(keys for _name, keys in mine))
        used = [key for key in every_key if any(key in keys for keys in sets)]
        shapes.append((sets, used))
        for name, keys in mine:
            positions = [2 + every_key.index(key) for key in keys]  # after the source index and the mask
            readers.setdefault((index, _mask(keys, used)), []).append((result[name], _key_reader(positions)))
    # SQLite (`make run`) has no GROUPING SETS: there each set is a GROUP BY of its own over the same rows.
    grouping_sets = connections[database].vendor == "postgresql"
    counts = ", ".join(f"COUNT(*) FILTER (WHERE {quote('state')} = %s)" for _state in states)

    def statement_over(read: Callable[[_Source], tuple[str, list]]) -> tuple[str, list]:
        """The counting statement, each source's rows as `read` gives them (its SELECT, or the ledger's)."""
        selects: list[str] = []
        parameters: list = []
        for index, (source, (sets, used)) in enumerate(zip(sources, shapes, strict=True)):
            sql, source_parameters = read(source)
            rows = f"FROM ({sql}) AS {quote(f'expected_{index}')}"
            if grouping_sets:
                grouping = f"GROUPING({', '.join(quote(key) for key in used)})" if used else "0"
                shown = ", ".join(quote(key) if key in used else "NULL" for key in every_key)
                grouped = ", ".join(f"({', '.join(quote(key) for key in keys)})" for keys in sets)
                selects.append(
                    f"SELECT {index}, {grouping}, {shown}, COUNT(*), {counts} {rows} GROUP BY GROUPING SETS ({grouped})"
                )
                parameters.extend([*states, *source_parameters])  # in the order they appear in the SQL
                continue
            for keys in sets:
                shown = ", ".join(quote(key) if key in keys else "NULL" for key in every_key)
                grouped = f" GROUP BY {', '.join(quote(key) for key in keys)}" if keys else ""
                selects.append(f"SELECT {index}, {_mask(keys, used)}, {shown}, COUNT(*), {counts} {rows}{grouped}")
                parameters.extend([*states, *source_parameters])
        return " UNION ALL ".join(selects), parameters

    def from_ledger(source: _Source) -> tuple[str, list]:
        # The ledger's rows stand for the source when it has them (the same columns; the same rows when current).
        return _compiled(source.stored, every_key) if source.stored is not None else (source.sql, source.parameters)

    # The cache keys the count on the definition's statement, whichever rows it is then read from.
    statement, parameters = statement_over(lambda source: (source.sql, source.parameters))

    def count(version: Version | None) -> dict[str, Tally]:
        read_ledger = version is not None and version.ledger_current and any(s.stored is not None for s in sources)
        with connections[database].cursor() as cursor:
            cursor.execute(*(statement_over(from_ledger) if read_ledger else (statement, parameters)))
            width = len(COUNTS)
            # 3,000 rows nationally (one per agency): a plain loop, each row's counts one dict per grouping.
            for row in cursor.fetchall():
                figures = row[-width:]
                for tally, key_of in readers[row[0], row[1]]:
                    tally[key_of(row)] = dict(zip(COUNTS, figures, strict=True))
        return result

    return cached_count(statement, parameters, count, database)


def _key_reader(positions: list[int]) -> Callable[[tuple], tuple]:
    """The function that reads a tally's key (always a tuple) from a row of the counting statement."""
    if len(positions) == 1:
        (position,) = positions
        return lambda row: (row[position],)
    return itemgetter(*positions)


def _tally(rows: QuerySet, key: str) -> dict:
    """{key value: {"expected": n, state: n}} from one aggregate over `rows` grouped by `key`."""
    return {values[0]: counts for values, counts in tallies(rows=(rows, (key,)))["rows"].items()}


def completeness_by_kind(rows: QuerySet) -> tuple[Completeness, list[Completeness]]:
    """The whole plan and each family of agencies, from one GROUP BY query over `rows` (expected reports).
    A family with nothing expected still gets its line, so the table always has the same shape."""
    tally = _tally(rows, "kind_group")
    families = [Completeness.from_row(str(label), tally.get(key, {}), key) for key, label in KindGroup.choices]
    total = Completeness(
        label=str(_("Toàn kế hoạch")),
        expected=sum(f.expected for f in families),
        on_time=sum(f.on_time for f in families),
        late=sum(f.late for f in families),
        returned=sum(f.returned for f in families),
        missing=sum(f.missing for f in families),
    )
    return total, families


def completeness_by_year(*, plan: Plan, today: datetime.date, rows: QuerySet | None = None) -> list[Completeness]:
    """Reporting and on-time rates of every cycle of the plan, oldest first (one GROUP BY query); `rows`: the
    plan's expected reports as the reader may see them (all by default)."""
    counted = tallies(years=(expected_reports(plan=plan, today=today) if rows is None else rows, ("year",)))
    return _year_lines(counted["years"])


def _year_lines(tally: Tally) -> list[Completeness]:
    """One line per cycle, oldest first, from a tally keyed by (year,)."""
    return [Completeness.from_row(str(year), counts, str(year)) for (year,), counts in sorted(tally.items())]


def _agency_rows(tally: Tally) -> list[FigureRow]:
    """FigureRows per agency (agency_id, agency__name, agency__short_name, kind_group, sort_name and the figures), in
    Vietnamese order as every list of agencies (`name_order`, the key of `in_name_order`):
    the tally of `tallies` keyed by (agency_id, kind_group), and one query for the names (every agency's: an IN
    list of 3,000 ids costs Django more than the rows it saves)."""
    everyone = Agency.objects.order_by().values_list("pk", "name", "short_name", "sort_name")  # sorted below
    names = {pk: (name, short_name, sort_name) for pk, name, short_name, sort_name in everyone}
    rows = [
        FigureRow(
            counts,
            agency_id=agency_id,
            agency__name=name,
            agency__short_name=short_name,
            kind_group=kind_group,
            sort_name=name_order(agency_id, sort_name),
        )
        for (agency_id, kind_group), counts in tally.items()
        # An agency deleted between the count and this query keeps its figures, without a name.
        for name, short_name, sort_name in (names.get(agency_id, ("", "", "")),)
    ]
    rows.sort(key=lambda row: row["sort_name"])
    return rows


AGENCY_KEYS = ("agency_id", "kind_group")


def years_and_agencies(
    *, year_rows: QuerySet | None, agency_rows: QuerySet
) -> tuple[list[Completeness], list[FigureRow]]:
    """The years page's two tables from one counting statement (`tallies`): rates per cycle over `year_rows`
    (None: not wanted, as in an export of the agency table) and per agency over `agency_rows` (see
    `agency_completeness`). The two sets of expected reports differ when the agency table is filtered."""
    groupings: dict[str, tuple[QuerySet, Sequence[str]]] = {"agencies": (agency_rows, AGENCY_KEYS)}
    if year_rows is not None:
        groupings["years"] = (year_rows, ("year",))

    def build() -> tuple[list[Completeness], list[FigureRow]]:
        counted = tallies(**groupings)
        return _year_lines(counted.get("years", {})), _agency_rows(counted["agencies"])

    # The rows built from the count (3,000 agencies nationally: 14 ms), kept in memory for the figures' version.
    wanted = {name: statement_key(rows) for name, (rows, _keys) in groupings.items()}
    years, agencies = kept_here(("years_and_agencies", tuple(sorted(wanted.items()))), build, agency_rows.db)
    return list(years), list(agencies)  # shared by the version's readers: each gets lists of its own to sort


def agency_completeness(*, plan: Plan, today: datetime.date, rows: QuerySet | None = None) -> list[FigureRow]:
    """Per agency across every cycle of the plan: expected, on time, late, returned, missing and both rates, as
    dict rows ordered by name (django-tables2 sorts them on every column); `rows` as in completeness_by_year."""
    rows = expected_reports(plan=plan, today=today) if rows is None else rows
    return years_and_agencies(year_rows=None, agency_rows=rows)[1]


def plan_cycles(plan: Plan) -> QuerySet[Cycle]:
    return Cycle.objects.filter(plan=plan).order_by("-year")
