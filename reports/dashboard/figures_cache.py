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
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

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
    """The version of the figures a reader sees (`token`, the cache's key), and whether the ledger of expected
    reports is current for that reader (reports.cycles.ledger), both read in one statement."""

    token: str
    ledger_current: bool


def figures_version(database: str = "default") -> Version | None:
    """The version of the figures as this reader sees them: the database's incarnation (a new one when the row
    is missing, after a test's flush) and the number of changes recorded, in one query; None where the cache does
    not apply. The changes are only ever added, and what a reader sees of them only grows, so the count moves
    exactly when the data the reader sees does."""
    connection = connections[database]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return None
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


def cached_rows(rows: QuerySet) -> list:
    """The rows of a queryset (values() rows, picklable), from the cache while the data has not changed; none
    for a queryset that can match nothing (a filter on an empty set compiles to no SQL)."""
    try:
        statement, parameters = rows.query.get_compiler(rows.db).as_sql()
    except EmptyResultSet:
        return []
    return cached_count(statement, list(parameters), lambda _version: list(rows), rows.db)
