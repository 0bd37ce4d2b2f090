"""The dashboard's counts cached on the version of the data they were counted from.

At national scale the years page counts 30,000 expected reports on every request (about 45 ms of SQL) for figures
that change only when a report is sent, returned or accepted, or when the plan or the agencies change; the
targets page averages every accepted report's values (`progress.target_series`). Each is cached under a version:
the database (host, name, and the incarnation in `FiguresVersion`, new after a restore) and the number of
`FiguresChange` rows, one of which PostgreSQL triggers add in every transaction that writes a row the expected
reports or the target averages are built from (whatever wrote it: a view, a queryset update, raw SQL). The version
is read before counting: a count stored under a version holds the data of that version or newer, so a cached
figure is never older than the data the reader sees.

Counted live instead: on SQLite (`make run`, no triggers), inside a transaction (the reader's own writes change
the token only when they commit) and when the cache does not answer (Redis down: the page stays up).

What a page builds from the counts (3,000 rows of agencies, the same folded by today's units: 14 and 20 ms of
Python nationally on every request) is kept in the worker's own memory under the same version (`kept_here`): no
pickling, which costs more than the building for rows of objects. A page reads the version once
(`one_version`), so its tables are all of one version and the version is one query, whatever it reads.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar
from weakref import WeakKeyDictionary

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from redis.exceptions import RedisError

from reports.cycles import ledger
from reports.models import FiguresChange, FiguresVersion

logger = logging.getLogger(__name__)

T = TypeVar("T")
# Old tokens' entries are never read again; they only wait to expire. The current token's are written again
# before they expire (`recounting`, by reports.dashboard.warming).
TIMEOUT_SECONDS = 600
_RECOUNTING: ContextVar[bool] = ContextVar("figures_recounting", default=False)
# Within `one_version`: {database: the Version read first}.
_PINNED: ContextVar[dict[str, Version] | None] = ContextVar("figures_pinned", default=None)
# `kept_here`'s values, of the current version only: a few tables of 3,000 rows (3 to 4 MB each nationally).
KEPT_LIMIT = 8
_kept: OrderedDict[tuple[str, Hashable], object] = OrderedDict()
_kept_lock = threading.Lock()  # gunicorn's threads share the worker's memory
# A queryset's statement (`statement_key`), while the queryset lives: a queryset is never changed once built (each
# filter makes a new one).
_statement_keys: WeakKeyDictionary[QuerySet, tuple[str, tuple] | None] = WeakKeyDictionary()


@contextmanager
def recounting() -> Iterator[None]:
    """Within it every figure is counted and stored again, not read back: a figure already cached gets its full
    time in the cache again."""
    reset = _RECOUNTING.set(True)
    try:
        yield
    finally:
        _RECOUNTING.reset(reset)


@dataclass(frozen=True)
class Version:
    """The version of the figures a reader sees (`token`, the cache's key), and whether the ledger (the expected
    reports and the targets' figures, reports.cycles.ledger) is current for that reader, both read in one
    statement."""

    token: str
    ledger_current: bool


@contextmanager
def one_version() -> Iterator[None]:
    """Within it, each database's version is read once (the first time a figure asks): every figure of a page is
    of one version, which costs one query. For reading only: a write within it would not move the version."""
    reset = _PINNED.set({})
    try:
        yield
    finally:
        _PINNED.reset(reset)


def figures_version(database: str = "default") -> Version | None:
    """The version of the figures as this reader sees them: the database's incarnation (a new one when the row
    is missing, after a test's flush) and the number of changes recorded, in one query; None where the cache does
    not apply. The changes are only ever added, and what a reader sees of them only grows, so the count moves
    exactly when the data the reader sees does."""
    connection = connections[database]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return None
    pinned = _PINNED.get()
    if pinned is not None:
        if database not in pinned:
            pinned[database] = _read_version(database)
        return pinned[database]
    return _read_version(database)


def _read_version(database: str) -> Version:
    connection = connections[database]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            # One scan of the changes for both counts: all of them (the version), those the ledger's stamp counts.
            f"SELECT v.token, c.total, {ledger.stamp_sql(database)} = c.counted "
            f"FROM {quote(FiguresVersion._meta.db_table)} v, "
            f"(SELECT COUNT(*) AS total, {ledger.counted_changes_sql()} AS counted "
            f"FROM {quote(FiguresChange._meta.db_table)}) c WHERE v.id = 1"
        )
        row = cursor.fetchone()
    if row is None:
        version = FiguresVersion.objects.using(database).get_or_create(pk=1, defaults={"token": uuid.uuid4().hex})[0]
        row = (version.token, FiguresChange.objects.using(database).count(), False)
    settings_of = connection.settings_dict
    token = f"{settings_of['HOST']}:{settings_of['PORT']}/{settings_of['NAME']}:{row[0]}:{row[1]}"
    return Version(token=token, ledger_current=bool(row[2]))


def figures_token(database: str = "default") -> str | None:
    """The token of `figures_version`: None where the cache does not apply."""
    version = figures_version(database)
    return version.token if version is not None else None


def cached_count(
    statement: str, parameters: list, count: Callable[[Version | None], T], database: str = "default"
) -> T:
    """`count(version)` (the result of `statement` with `parameters`), from the cache when the data has not changed
    since it was stored; `version` (None where the cache does not apply) tells it whether the ledger may be read."""
    version = figures_version(database)
    if version is None:
        return count(None)
    key = "figures:" + hashlib.sha256(f"{version.token}\0{statement}\0{parameters!r}".encode()).hexdigest()
    if not _RECOUNTING.get():
        try:
            found = cache.get(key)
        except (RedisError, OSError):
            logger.warning("figures cache unavailable: counting live", exc_info=True)
            return count(version)
        if found is not None:
            return found
    value = count(version)
    try:
        cache.set(key, value, timeout=TIMEOUT_SECONDS)
    except (RedisError, OSError):
        logger.warning("figures cache unavailable: count not stored", exc_info=True)
    return value


def cached_rows(rows: QuerySet, stored: QuerySet | None = None) -> list:
    """The rows of a queryset (values() rows, picklable), from the cache while the data has not changed; none
    for a queryset that can match nothing (a filter on an empty set compiles to no SQL). `stored`, when given,
    holds the same rows in the ledger (reports.cycles.ledger): they are read instead while it is current."""
    key = statement_key(rows)
    if key is None:
        return []

    def count(version: Version | None) -> list:
        return list(stored if stored is not None and version is not None and version.ledger_current else rows)

    return cached_count(key[0], list(key[1]), count, rows.db)


def kept_here(key: Hashable, compute: Callable[[], T], database: str = "default") -> T:
    """`compute()`, kept in this process's memory while the figures of `database` keep their version, under `key`
    (which must name everything the value is built from besides the figures: the rows' statement, the day, the
    reader's language). The value is shared by every request of the version: never change it (copy a list
    before sorting it). Computed afresh where the cache does not apply and when recounting."""
    version = figures_version(database)
    if version is None or _RECOUNTING.get():
        return compute()
    entry = (version.token, key)
    with _kept_lock:
        if entry in _kept:
            _kept.move_to_end(entry)
            return _kept[entry]  # type: ignore[return-value]
    value = compute()
    with _kept_lock:
        # Another version's values are never read again (a version is never seen anew once it has moved on).
        for stale in [kept for kept in _kept if kept[0] != version.token]:
            del _kept[stale]
        _kept[entry] = value
        while len(_kept) > KEPT_LIMIT:
            _kept.popitem(last=False)
    return value


def statement_key(rows: QuerySet) -> tuple[str, tuple] | None:
    """A queryset's SQL and parameters, as a key of `kept_here`; None for one that can match nothing. Compiled
    once per queryset (1.5 ms for the expected reports): a page keys several values on the same rows."""
    if rows in _statement_keys:
        return _statement_keys[rows]
    try:
        statement, parameters = rows.query.get_compiler(rows.db).as_sql()
    except EmptyResultSet:
        key = None
    else:
        key = (statement, tuple(parameters))
    _statement_keys[rows] = key
    return key
