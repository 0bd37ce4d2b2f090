"""Searching stored Vietnamese text: a name or an answer found in any case and either tone placement, the same way
on every list that has a search box (the dashboard's lists, the reminder log)."""

from __future__ import annotations

from collections.abc import Callable

import django_filters
from django.db.models import Q, QuerySet

from hptracker.text import collation_key, fold_for_matching, nfc, tone_placement_variants


def contains_any_spelling(value: str, *fields: str) -> Q:
    """Case-insensitive "contains" on any of `fields` that finds "Thủy Nguyên" whether typed or stored as
    "Thuỷ Nguyên".

    The words as typed and in small letters are tried first, exactly: PostgreSQL stops at the first alternative
    that holds, and UPPER() of a 2,000-character answer is most of a search's cost. A term most answers hold
    ("kinh phí" in 6,368 of a year's 6,368 national difficulties) was searched in 35 ms of SQL, now 10; a term
    no answer holds costs a fifth more (43 → 52 ms), each text being read exactly before it is folded. The rows
    found are the same: an exact match is a case-insensitive one."""
    variants = sorted(tone_placement_variants(value))  # one SQL text for one query, whatever the process
    # The small letters only where the database's UPPER() folds them back to the typed word's capitals (not "ß"
    # for "ẞ", "i̇" for "İ"): an exact alternative must never find what the case-insensitive one would not.
    exact = dict.fromkeys(
        spelling
        for variant in variants
        for spelling in (variant, variant.lower())
        if spelling.upper() == variant.upper()
    )
    match = Q()
    for spelling in exact:
        for field in fields:
            match |= Q(**{f"{field}__contains": spelling})
    for variant in variants:
        for field in fields:
            match |= Q(**{f"{field}__icontains": variant})
    return match


def unmarked_key(value: str) -> str | None:
    """A query typed without a single mark ("tong hop so 12", as many type on a phone), folded as a name's sort key
    is (`collation_key`: no case, no marks, Đ as D); None for a query with marks, which means them."""
    text = nfc(value).strip()
    return collation_key(text)[0] if text and text.isascii() else None


def name_matcher(query: str) -> Callable[[str], bool]:
    """Whether a name is found by `query` as the lists' name filters find it (VietnameseContainsFilter), in Python:
    any case, either tone placement, and without marks when the query has none. The query is folded once, for the
    thousands of names a fold by today's units tries."""
    unmarked, folded = unmarked_key(query), fold_for_matching(query.strip())

    def matches(name: str) -> bool:
        if unmarked is not None and unmarked in collation_key(name)[0]:
            return True
        return folded in fold_for_matching(name)

    return matches


class VietnameseContainsFilter(django_filters.CharFilter):
    """`contains_any_spelling` on `field_name`; with `folded_field` (a name's sort key, Agency.sort_name), a query
    typed without marks also finds the names written with them: "tong hop" finds "tổng hợp"."""

    def __init__(self, *args, folded_field: str | None = None, **kwargs) -> None:
        self.folded_field = folded_field
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value):
        if not value:
            return qs
        match = contains_any_spelling(value, self.field_name)
        unmarked = unmarked_key(value) if self.folded_field else None
        if unmarked:
            match |= Q(**{f"{self.folded_field}__contains": unmarked})
        return qs.filter(match)
