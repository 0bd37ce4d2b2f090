"""Paging shared by the portal's lists: page sizes asked for in the query string (`?per_page=`), for the dashboard's
lists, the cycle page and the plan's lists of units; the total order and the page queries of django-tables2
lists (`ListRows`)."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Generic, TypeVar, overload

from django.core.paginator import EmptyPage
from django.db.models import Model, QuerySet
from django_tables2 import LazyPaginator
from django_tables2.data import TableQuerysetData

RowModel = TypeVar("RowModel", bound=Model)
# The most rows a page shows whatever ?per_page= asks.
MAX_PER_PAGE = 500
# The last page a capped list goes to (`CappedPaginator`).
MAX_PAGES = 20


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


def rows_by_ids(ordered: QuerySet, key: slice) -> QuerySet:
    """The rows `key` of `ordered` (a total order), chosen by a narrow query (their ids sorted and sliced in a
    subquery) and only then read whole: wide rows (answers of 2,000 characters, a report's columns and its
    joins) no longer go through the sort. Without annotations they are read by their ids alone, joined as the
    list joins them, so the list's filters (a text search over every answer) run once; with annotations the
    list's own query reads them (its filters run again, over the page's ids)."""
    ids = ordered.values("pk")[key]
    if ordered.query.annotations:
        return ordered.filter(pk__in=ids)
    page = ordered.model._base_manager.filter(pk__in=ids).order_by(*ordered.query.order_by)
    page.query.select_related = ordered.query.select_related
    page.query.deferred_loading = ordered.query.deferred_loading
    return page


class PageChosenByIds(ListRows):
    """The rows of a list whose rows carry long texts, a page chosen by its ids (`rows_by_ids`): nationally a
    year's 6,368 difficulties went through the sort with their texts, 20 of the 34 ms of SQL of page 20 of the
    issues."""

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return super().__getitem__(key)
        return rows_by_ids(self.in_total_order(), key)


class ChosenByIds(Generic[RowModel]):
    """A queryset in a total order for Django's Paginator: the ids of all its rows read once, in that order (one
    narrow query gives both the count and the page), then the page's rows read by their ids. The COUNT and the
    page's sorted ids were two passes over the same filters (8 ms each nationally for the inbox's 5,428 waiting
    reports). For lists the workflow bounds (the reports waiting for a reviewer), not for lists of any length."""

    def __init__(self, queryset: QuerySet[RowModel]):
        self.queryset = queryset
        self._ids: list | None = None

    @property
    def ordered(self) -> bool:
        return self.queryset.ordered

    def ids(self) -> list:
        if self._ids is None:
            self._ids = list(self.queryset.values_list("pk", flat=True))
        return self._ids

    def count(self) -> int:
        return len(self.ids())

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[RowModel]:
        return iter(self.queryset)

    @overload
    def __getitem__(self, key: int) -> RowModel: ...

    @overload
    def __getitem__(self, key: slice) -> QuerySet[RowModel]: ...

    def __getitem__(self, key: int | slice) -> RowModel | QuerySet[RowModel]:
        if isinstance(key, slice):
            # The list's own query over the page's ids: its annotations and order, its filters over 50 rows.
            return self.queryset.filter(pk__in=self.ids()[key])
        return self.queryset.get(pk=self.ids()[key])


class ListRowsMixin:
    """A view whose table pages `ListRows` (`rows_class`) over its queryset, told apart by `unique_order`."""

    rows_class: type[ListRows] = ListRows
    unique_order: tuple[str, ...] = ("pk",)

    def get_table_data(self):
        return self.rows_class(super().get_table_data(), unique=self.unique_order)


class CappedPaginator(LazyPaginator):
    """LazyPaginator (no COUNT) that never goes past page `MAX_PAGES`: a later page number shows the last allowed
    page, and `capped` tells the template that more rows exist than can be paged through; a page number past the
    end of a shorter list shows its last page."""

    max_pages = MAX_PAGES
    capped = False
    # The page number asked for past the cap (?page=21 shows page 20), for the notice to say so; None otherwise.
    asked_past_cap: int | None = None

    def __init__(self, object_list, per_page, *args, **kwargs):
        # ?per_page= comes from the query string as typed: 0 or a negative number would fail (a 500).
        super().__init__(object_list, bounded_per_page(per_page, MAX_PER_PAGE), *args, **kwargs)

    def page(self, number):
        try:
            wanted = int(number or 1)
        except (TypeError, ValueError):
            wanted = 1
        try:
            page = super().page(min(max(wanted, 1), self.max_pages))
        except EmptyPage:
            # Past the end of a list shorter than the cap (a stale link, a number typed in the address): its last
            # page, as Django's paginator would show, not the first. The COUNT this costs is over the fewer than
            # max_pages × per_page rows the list has.
            rows = len(self.object_list)  # BoundRows: a COUNT for a queryset, len() for a list
            page = super().page(max(1, math.ceil(rows / self.per_page)))
        if page.number == self.max_pages and self._num_pages and self._num_pages > self.max_pages:
            self.capped = True
            self._num_pages = self.max_pages
            if wanted > self.max_pages:
                self.asked_past_cap = wanted
        return page

    @property
    def shown_rows(self) -> int:
        return self.max_pages * self.per_page
