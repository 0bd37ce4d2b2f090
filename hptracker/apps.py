from __future__ import annotations

from django.apps import AppConfig


class HptrackerConfig(AppConfig):
    """The project package as an app: its management commands (backup, restore) and the SQLite set-up."""

    name = "hptracker"

    def ready(self) -> None:
        from hptracker import sqlite

        sqlite.connect()
