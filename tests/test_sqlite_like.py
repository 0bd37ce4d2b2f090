"""hptracker/sqlite.py: SQLite's LIKE replaced by one that ignores the case of every letter, as PostgreSQL's
UPPER(…) LIKE UPPER(…) does; the wildcards and Django's escape character keep their meaning."""

from __future__ import annotations

import sqlite3

from hptracker.sqlite import unicode_like


def test_vietnamese_capitals_match_their_small_letters():
    assert unicode_like("%lê chân%", "Ủy ban nhân dân phường Lê Chân")
    assert unicode_like("%LÊ CHÂN%", "Ủy ban nhân dân phường Lê Chân")
    assert unicode_like("ủy ban%", "Ủy ban nhân dân phường Lê Chân")
    assert not unicode_like("%lê chan%", "Ủy ban nhân dân phường Lê Chân")


def test_wildcards_escapes_and_null_keep_their_sql_meaning():
    assert unicode_like("a_c", "abc") and not unicode_like("a_c", "abbc")
    assert unicode_like("%50\\%%", "đạt 50% kế hoạch", "\\")
    assert not unicode_like("%50\\%%", "đạt 50 kế hoạch", "\\")
    assert unicode_like("%a\\_b%", "xa_by", "\\") and not unicode_like("%a\\_b%", "xacby", "\\")
    assert unicode_like("%.*%", "a.*b") and not unicode_like("%.*%", "ab")
    assert unicode_like("%dòng hai%", "dòng một\ndòng hai")
    assert unicode_like(None, "a") is None and unicode_like("a", None) is None


def test_sqlite_calls_it_for_like_with_and_without_escape():
    connection = sqlite3.connect(":memory:")
    connection.create_function("like", 2, unicode_like, deterministic=True)
    connection.create_function("like", 3, unicode_like, deterministic=True)
    assert connection.execute("SELECT 'Lê Chân' LIKE '%LÊ%'").fetchone() == (1,)
    assert connection.execute("SELECT 'Lê Chân' LIKE '%LÊ%' ESCAPE '\\'").fetchone() == (1,)
    assert connection.execute("SELECT 'Lê Chân' LIKE 'x%'").fetchone() == (0,)
