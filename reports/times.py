"""The one way a moment or a day is written for a reader: in Hải Phòng's time (Asia/Ho_Chi_Minh, the
TIME_ZONE setting), `dd/mm/yyyy HH:MM` and `dd/mm/yyyy`, whatever the language. Templates use the same
formats through Django's `date` filter ("d/m/Y H:i", "d/m/Y"); Python code calls these."""

from __future__ import annotations

import datetime

from django.utils import timezone

DATETIME_FORMAT = "%d/%m/%Y %H:%M"
DATE_FORMAT = "%d/%m/%Y"


def format_datetime(value: datetime.datetime | None, *, empty: str = "—") -> str:
    if value is None:
        return empty
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime(DATETIME_FORMAT)


def format_date(value: datetime.date | None, *, empty: str = "—") -> str:
    if value is None:
        return empty
    return value.strftime(DATE_FORMAT)
