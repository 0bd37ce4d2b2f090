"""The dashboard's counts cached on the version of the data they were counted from.

At national scale the years page counts 30,000 expected reports on every request (about 80 ms of SQL) for figures
that change only when a report is sent, returned or accepted, or when the plan or the agencies change. Each count
is cached under the token of `FiguresVersion`, which PostgreSQL triggers change in every transaction that writes
a row the expected reports are built from (whatever wrote it: a view, a queryset update, raw SQL). The token is
read before counting: a count stored under a token holds the data of that token or newer, and a newer token is
never looked up under an older one, so a cached figure is never older than the data the reader sees.

Counted live instead: on SQLite (`make run`, no triggers), inside a transaction (the reader's own writes change
the token only when they commit) and when the cache does not answer (Redis down: the page stays up).
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db import connections
from redis.exceptions import RedisError

from reports.models import FiguresVersion

logger = logging.getLogger(__name__)

T = TypeVar("T")
# Old tokens' entries are never read again; they only wait to expire.
TIMEOUT_SECONDS = 600


def figures_token(database: str = "default") -> str | None:
    """The current token; a new one when the row is missing (a test's flush emptied the table); None where the
    cache does not apply."""
    connection = connections[database]
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return None
    token = FiguresVersion.objects.using(database).filter(pk=1).values_list("token", flat=True).first()
    if token is None:
        token = (
            FiguresVersion.objects.using(database).get_or_create(pk=1, defaults={"token": uuid.uuid4().hex})[0].token
        )
    return token


def cached_count(statement: str, parameters: list, count: Callable[[], T], database: str = "default") -> T:
    """`count()` (the result of `statement` with `parameters`), from the cache when the data has not changed since
    it was stored."""
    token = figures_token(database)
    if token is None:
        return count()
    key = "figures:" + hashlib.sha256(f"{database}\0{token}\0{statement}\0{parameters!r}".encode()).hexdigest()
    try:
        found = cache.get(key)
    except (RedisError, OSError):
        logger.warning("figures cache unavailable: counting live", exc_info=True)
        return count()
    if found is not None:
        return found
    value = count()
    try:
        cache.set(key, value, timeout=TIMEOUT_SECONDS)
    except (RedisError, OSError):
        logger.warning("figures cache unavailable: count not stored", exc_info=True)
    return value
