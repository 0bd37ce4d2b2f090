"""The one way figures are rounded and written (issue 9): half up, as Vietnamese administrative practice and the
department's spreadsheets round (28,25 -> 28,3, never Python's half-to-even 28,2), with a decimal comma in
Vietnamese and a point in English. Pages (the `number` template filter), exports, the PDF and the Word copy
all call these functions; it sits in the project, not in reports, so that the plan pages (plans) call them too."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import get_language


def round_half_up(value: Decimal | float | int, places: int = 1) -> Decimal:
    """`value` rounded to `places` decimals, halves away from zero. A float is read through its shortest repr
    (str), so 28.25 is 28.25 and not the binary 28.249999…"""
    exact = value if isinstance(value, Decimal) else Decimal(str(value))
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def percent(part: int, whole: int, places: int = 1) -> Decimal | None:
    """part ÷ whole in percent, rounded half up; None when whole is 0 (nothing was owed: not 0 %)."""
    if not whole:
        return None
    return round_half_up(Decimal(100 * part) / Decimal(whole), places)


def format_decimal(
    value: Decimal | float | int | None,
    places: int = 1,
    *,
    language: str | None = None,
    empty: str = "—",
    keep_zeros: bool = False,
) -> str:
    """A figure as the reader writes it: rounded half up to `places` decimals, trailing zeros dropped
    (66 -> "66", 52,50 -> "52,5") unless `keep_zeros` (66 -> "66,0", for figures read side by side), decimal
    comma in Vietnamese, point in English; `empty` for None."""
    if value is None:
        return empty
    rounded = round_half_up(value, places)
    text = f"{rounded:.{places}f}" if keep_zeros else f"{rounded:f}"
    if "." in text and not keep_zeros:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    language = language or get_language() or "vi"
    return text if language.startswith("en") else text.replace(".", ",")


def format_rate(value: Decimal | float | int | None, *, language: str | None = None, empty: str = "—") -> str:
    """A rate in percent as tables print it: always one decimal ("74,0%", never "74%" above "73,5%"), so that a
    column of rates reads at one precision and its digits line up; `empty` for None (nothing was owed)."""
    if value is None:
        return empty
    text = f"{round_half_up(value, 1):f}"
    language = language or get_language() or "vi"
    return f"{text if language.startswith('en') else text.replace('.', ',')}%"


def format_count(value: int | None, *, language: str | None = None, empty: str = "—") -> str:
    """A count as the reader writes it: thousands grouped with a point in Vietnamese (1.385.900), a comma in
    English (1,385,900); `empty` for None."""
    if value is None:
        return empty
    text = f"{int(value):,}"
    language = language or get_language() or "vi"
    return text if language.startswith("en") else text.replace(",", ".")
