"""Dates as Vietnamese administrative documents write them (Nghị định 30/2020/NĐ-CP, Phụ lục I)."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _


def document_day(value: int) -> str:
    """Days under 10 take a leading zero: "05"."""
    return f"{value:02d}"


def document_month(value: int) -> str:
    """Only months 1 and 2 take a leading zero ("01", "02"); "3" … "12" are written as they are. The zero
    keeps anyone from adding a digit to "1" or "2" by hand (turning January into November or December)."""
    return f"{value:02d}" if value in (1, 2) else str(value)


def document_date(day: datetime.date) -> str:
    """ "ngày 05 tháng 01 năm 2022"."""
    return _("ngày %(day)s tháng %(month)s năm %(year)s") % {
        "day": document_day(day.day),
        "month": document_month(day.month),
        "year": day.year,
    }


def place_and_date(place: str, day: datetime.date) -> str:
    """ "Hải Phòng, ngày 05 tháng 01 năm 2022" — the italic line under the national motto."""
    return _("%(place)s, %(date)s") % {"place": place, "date": document_date(day)}


def short_date(day: datetime.date | None) -> str:
    """ "05/01/2022", for dates quoted in running text and tables."""
    return f"{day:%d/%m/%Y}" if day else ""
