"""Agencies listed by the database in Vietnamese order (Agency.sort_name), the order `collation_key` gives in
Python: the two must agree, or a page sorted in SQL and a document sorted in Python would list differently."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from agencies.models import Agency, AgencyKind, in_name_order, sort_name_of
from hptracker.text import collation_key
from plans.models import AssignmentRole, TaskAssignment

pytestmark = pytest.mark.django_db


def test_the_database_lists_every_agency_as_collation_key_sorts_it(plan):
    listed = list(Agency.objects.order_by(*in_name_order()).values_list("name", "pk"))
    assert len(listed) > 30
    assert listed == sorted(listed, key=lambda row: (collation_key(row[0])[0], row[1]))
    # Not what code points give: the Đ names and the "Ủy ban" ones would move to the end.
    assert [name for name, _pk in listed] != sorted(name for name, _pk in listed)


def test_the_default_ordering_and_a_related_listing_use_it_too(plan):
    names = [a.name for a in Agency.objects.filter(kind=AgencyKind.DISTRICT)]
    assert names.index("Ủy ban nhân dân quận Đồ Sơn") < names.index("Ủy ban nhân dân quận Hải An")
    # TaskAssignment's Meta.ordering: by task, role, then its agency in Vietnamese order.
    task = TaskAssignment.objects.filter(role=AssignmentRole.CO_OPERATING, agency__kind=AgencyKind.DISTRICT)[0].task
    assigned = [
        a.agency.name for a in TaskAssignment.objects.filter(task=task, role=AssignmentRole.CO_OPERATING).current()
    ]
    assert assigned == sorted(assigned, key=collation_key) != sorted(assigned)


def test_names_that_fold_alike_keep_one_order_by_id(plan):
    # "Thủy"/"Thuỷ" and capitals fold to one sort name: SQL and Python then both order by id.
    made = [
        Agency.objects.create(
            code=f"THU_{i}",
            name=name,
            short_name=name,
            symbol="T",
            kind=AgencyKind.OTHER,
            valid_from=datetime.date(2021, 1, 1),
        )
        for i, name in enumerate(["ủy ban Thủy", "Ủy ban Thuỷ", "ỦY BAN THỦY"])
    ]
    assert len({a.sort_name for a in made}) == 1
    listed = list(Agency.objects.filter(code__startswith="THU_").order_by(*in_name_order()))
    assert listed == made


def test_every_agency_of_the_plan_has_its_sort_name(plan):
    assert all(sort_name == sort_name_of(name) for name, sort_name in Agency.objects.values_list("name", "sort_name"))


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


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_sort_names_of_agencies_already_there(plan):
    # On a database in use the figures triggers (reports 0013) queue an event for every row the backfill updates;
    # PostgreSQL then refused the migration's ALTER TABLE ("pending trigger events"). Back to before it and again.
    executor = MigrationExecutor(connection)
    executor.migrate([("agencies", "0002_place_and_official_code")])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    names = list(Agency.objects.values_list("name", "sort_name"))
    assert len(names) > 30 and all(sort_name == sort_name_of(name) for name, sort_name in names)


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
