"""Agencies listed by the database in Vietnamese order (Agency.sort_name), the order `collation_key` gives in
Python: the two must agree, or a page sorted in SQL and a document sorted in Python would list differently."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from agencies.models import Agency, AgencyKind, in_name_order
from hptracker.text import collation_key

pytestmark = pytest.mark.django_db


def test_the_database_lists_every_agency_as_collation_key_sorts_it(plan):
    listed = list(Agency.objects.order_by(*in_name_order()).values_list("name", "pk"))
    assert len(listed) > 30
    assert listed == sorted(listed, key=lambda row: (collation_key(row[0]), row[1]))
    # Not what code points give: the Đ names and the "Ủy ban" ones would move to the end.
    assert [name for name, _pk in listed] != sorted(name for name, _pk in listed)


def test_the_default_ordering_and_a_related_listing_use_it_too(plan):
    names = [a.name for a in Agency.objects.filter(kind=AgencyKind.DISTRICT)]
    assert names.index("Ủy ban nhân dân quận Đồ Sơn") < names.index("Ủy ban nhân dân quận Hải An")


def test_saving_a_new_name_keeps_the_sort_name_with_it(plan):
    agency = Agency.objects.create(
        code="THU_TEN",
        name="Ban Zeta",
        short_name="Zeta",
        symbol="Z",
        kind=AgencyKind.OTHER,
        valid_from=datetime.date(2021, 1, 1),
    )
    assert agency.sort_name == "ban zeta"
    agency.name = "Đặc khu Bạch Long Vĩ (thử)"
    agency.save(update_fields=["name"])
    agency.refresh_from_db()
    assert agency.sort_name == collation_key("Đặc khu Bạch Long Vĩ (thử)")[0] == "dac khu bach long vi (thu)"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the column's collation is PostgreSQL's")
def test_the_column_compares_by_code_point_whatever_the_database_collation(plan):
    # Python compares the folded names by code point; a database made with en_US.utf8 (docker-compose's image)
    # would ignore spaces at first: "an bien" after "anb...". Migration 0003 gives the column the C collation.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT collation_name FROM information_schema.columns"
            " WHERE table_name = 'agencies_agency' AND column_name = 'sort_name'"
        )
        assert cursor.fetchone() == ("C",)
