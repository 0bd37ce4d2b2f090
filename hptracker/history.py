"""Who made a change, for django-simple-history's historical rows.

simple_history reads the author (and an optional reason) of the next historical row from private attributes of
the instance being saved. Services set them through this one function rather than poking the attributes, so the
convention lives in one place and the type checker knows the attributes are set on purpose.
"""

from __future__ import annotations

from typing import Any


def set_history_user(instance: Any, user: Any, *, reason: str | None = None) -> None:
    """The next `save()` of `instance` records `user` (and `reason`, when given) on its historical row."""
    instance._history_user = user
    if reason is not None:
        instance._change_reason = reason
