"""Page sizes asked for in the query string (`?per_page=`), shared by the dashboard's lists, the cycle page and the
plan's lists of units."""

from __future__ import annotations


def bounded_per_page(per_page, maximum: int) -> int:
    """`per_page` as typed, kept within 1…`maximum`; `maximum` when it is missing or not a number (0 would divide
    by zero, a negative number fails inside django-tables2's own error handling: a 500)."""
    try:
        number = int(per_page)
    except (TypeError, ValueError):
        return maximum
    return min(max(number, 1), maximum)
