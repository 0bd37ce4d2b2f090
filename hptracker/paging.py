"""Paging shared by the portal's lists: page sizes asked for in the query string (`?per_page=`), for the dashboard's
lists, the cycle page and the plan's lists of units; the total order and the page queries of django-tables2
lists (`ListRows`)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet
from django_tables2.data import TableQuerysetData


def bounded_per_page(per_page, maximum: int) -> int:
    """`per_page` as typed, kept within 1…`maximum`; `maximum` when it is missing or not a number (0 would divide
    by zero, a negative number fails inside django-tables2's own error handling: a 500)."""
    try:
        number = int(per_page)
    except (TypeError, ValueError):
        return maximum
    return min(max(number, 1), maximum)


class ListRows(TableQuerysetData):
    """A list's rows (django-tables2), paged in a total order: the list's own (or the column a reader sorts by), then
    `unique`, the fields that tell two rows apart (the id by default). PostgreSQL sorts rows that tie in any order
    it likes, and not the same for every LIMIT and OFFSET: a list sorted by state, by role or by agency (a district
    owes two reports a cycle) could show a row on two pages and another on none. Exports iterate `data` whole."""

    def __init__(self, data, unique: Sequence[str] = ("pk",)):
        super().__init__(data)
        self.unique = tuple(unique)

    def in_total_order(self) -> QuerySet:
        return self.data.order_by(*(self.data.query.order_by or self.data.model._meta.ordering), *self.unique)

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return super().__getitem__(key)
        return self.in_total_order()[key]


class PageChosenByIds(ListRows):
    """The rows of a list whose rows carry long texts (answers of up to 2,000 characters): a page is chosen by a
    narrow query, the ids in total order sliced in a subquery, and only the page's rows are read whole. Sorted
    whole, the texts went through the sort: nationally a year's 6,368 difficulties, 20 of the 34 ms of SQL of
    page 20 of the issues."""

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return super().__getitem__(key)
        ordered = self.in_total_order()
        return ordered.filter(pk__in=ordered.values("pk")[key])


class ListRowsMixin:
    """A view whose table pages `ListRows` (`rows_class`) over its queryset, told apart by `unique_order`."""

    rows_class: type[ListRows] = ListRows
    unique_order: tuple[str, ...] = ("pk",)

    def get_table_data(self):
        return self.rows_class(super().get_table_data(), unique=self.unique_order)
