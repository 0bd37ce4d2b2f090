"""Issue 12: names read the Vietnamese way everywhere (family name first), and every time is Hải Phòng's,
written dd/mm/yyyy HH:MM, history diffs included."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.template import Context, Template
from django.urls import reverse

from agencies.names import full_name, split_full_name
from reports.submissions.services import submission_submit
from reports.times import format_datetime
from tests.reports.submission_helpers import HANOI, fill_progress, open_cycle, started

pytestmark = pytest.mark.django_db


def test_a_full_name_is_family_name_first_everywhere_django_asks_for_it():
    person = get_user_model()(username="chan", last_name="Vũ Thị", first_name="Chân")
    assert full_name(person) == "Vũ Thị Chân"
    assert person.get_full_name() == "Vũ Thị Chân"  # what the admin, pages and libraries call
    assert Template("{% load people %}{{ p|full_name }}").render(Context({"p": person})) == "Vũ Thị Chân"
    assert full_name(get_user_model()(username="an")) == "an" and full_name(None) == ""
    assert split_full_name("  Hoàng   Văn Lê ") == ("Hoàng Văn", "Lê")


def test_the_admin_lists_and_edits_accounts_by_họ_và_tên(client, administrator, agency_staff):
    client.force_login(administrator)
    listing = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "Vũ Thị Chân" in listing and "Họ và tên" in listing
    form = client.get(reverse("admin:auth_user_change", args=[agency_staff.pk])).content.decode()
    assert form.index("Họ và tên đệm") < form.index(">Tên:<")


def test_history_shows_times_in_hai_phong_as_dd_mm_yyyy_hh_mm(client, plan, agency, agency_staff, agency_head):
    draft = started(open_cycle(plan), agency, agency_staff)
    fill_progress(draft)
    with time_machine.travel(datetime.datetime(2026, 11, 30, 1, 40, 17, tzinfo=datetime.UTC), tick=False):
        submission_submit(submission=draft, by=agency_head)
    client.force_login(agency_head)
    html = client.get(reverse("reports:submission_history", args=[draft.pk])).content.decode()
    assert "30/11/2026 08:40" in html  # 01:40 UTC is 08:40 in Hải Phòng
    assert "+00:00" not in html and "2026-11-30" not in html
    assert not re.search(r"\d\d:\d\d:\d\d", html)
    assert "Hoàng Văn Lê" in html


def test_format_datetime_is_local_and_dd_mm_yyyy():
    moment = datetime.datetime(2026, 12, 31, 17, 5, tzinfo=datetime.UTC)
    assert format_datetime(moment) == "01/01/2027 00:05"
    assert format_datetime(datetime.datetime(2026, 1, 2, 3, 4, tzinfo=HANOI)) == "02/01/2026 03:04"
