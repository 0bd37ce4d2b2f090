"""Who made a change, for django-simple-history's historical rows.

simple_history reads the author (and an optional reason) of the next historical row from private attributes of
the instance being saved. Services set them through this one function rather than poking the attributes, so the
convention lives in one place and the type checker knows the attributes are set on purpose.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Field, Model


def set_history_user(instance: Any, user: Any, *, reason: str | None = None) -> None:
    """The next `save()` of `instance` records `user` (and `reason`, when given) on its historical row."""
    instance._history_user = user
    if reason is not None:
        instance._change_reason = reason


def update_with_history(objs: Sequence[Model], fields: Sequence[str], *, by: Any) -> None:
    """Write `fields` of `objs` (all of one model) and record each one's historical row, as `save()` would.

    One prepared UPDATE sent for every row and one INSERT of the history: `save()` per row cost two statements a
    row (64 for a district's 32-task report), and Django's `bulk_update` builds a CASE of rows × fields
    expressions whose resolving took longer in Python than those 64 statements in PostgreSQL. Signals are not
    sent; callers pass text already cleaned to NFC (the pre_save net of plans.nfc does not run here)."""
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    columns = [field for name in fields if isinstance(field := meta.get_field(name), Field)]
    assert len(columns) == len(fields), "only concrete fields can be written"
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    rows = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in columns] + [obj.pk]
        for obj in objs
    ]
    with transaction.atomic(using=connection.alias, savepoint=False):
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        model.history.bulk_history_create(objs, update=True, default_user=by)  # type: ignore[attr-defined]
