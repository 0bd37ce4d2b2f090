"""The embedded SQLite database of `make run`, made to match PostgreSQL where the portal's answers depend on it.

SQLite's LIKE ignores case for ASCII letters only, so under `make run` the dashboard's name and text filters missed
"Ủy ban nhân dân phường Lê Chân" when one typed "LÊ CHÂN" or "ủy ban", while PostgreSQL
(Django's `icontains`: UPPER(…) LIKE UPPER(…)) finds it. On SQLite Django compiles `icontains`, `istartswith`,
`iendswith` and `iexact` (and `contains`, `startswith`, `endswith`, which Django documents as ignoring case there)
to `LIKE … ESCAPE '\\'`; replacing SQLite's `like()` function on each new connection makes them ignore the case of
every letter without touching any query. PostgreSQL connections are left alone.
"""

from __future__ import annotations

import functools
import re

from django.db.backends.signals import connection_created


@functools.lru_cache(maxsize=256)
def _like_regex(pattern: str, escape: str | None) -> re.Pattern[str]:
    parts = []
    characters = iter(pattern)
    for character in characters:
        if escape is not None and character == escape:
            parts.append(re.escape(next(characters, "")))
        elif character == "%":
            parts.append(".*")
        elif character == "_":
            parts.append(".")
        else:
            parts.append(re.escape(character))
    return re.compile("".join(parts), re.DOTALL | re.IGNORECASE)


def unicode_like(pattern: str | None, value: object, escape: str | None = None) -> bool | None:
    """SQLite's `value LIKE pattern [ESCAPE escape]` (called as like(pattern, value, escape)), ignoring the case
    of every letter, not only A-Z. NULL in, NULL out, as in SQL."""
    if pattern is None or value is None:
        return None
    return _like_regex(str(pattern), escape).fullmatch(str(value)) is not None


def _install(sender, connection, **kwargs) -> None:
    if connection.vendor != "sqlite":
        return
    connection.connection.create_function("like", 2, unicode_like, deterministic=True)
    connection.connection.create_function("like", 3, unicode_like, deterministic=True)


def connect() -> None:
    connection_created.connect(_install, dispatch_uid="hptracker.sqlite.unicode_like")
