from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from agencies.models import Agency
from hptracker.text import collation_key
from plans import selectors, views
from plans.models import DutyItem, Plan, Task, TaskAssignment, TaskGroup
from plans.selectors import GROUPED_FROM, group_units
from tests.plans.reorganisation_helpers import apply, hai_phong_data


def test_anonymous_visitor_is_sent_to_login(client, plan):
    response = client.get(reverse("plans:plan_detail", args=[plan.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_plan_page_shows_basis_groups_targets_duties_and_calendar(
    client, plan, agency_staff, django_assert_num_queries
):
    client.force_login(agency_staff)
    # Session, the person, then the plan's ten (plans.selectors.plan_page): the plan, targets, groups with their
    # tasks, the units counted by kind, the names listed, duty items with their duties, basis, objectives, rules,
    # and the rules' reporters with their recipients.
    with django_assert_num_queries(12):
        response = client.get(reverse("plans:plan_detail", args=[plan.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "134-KL/TU",
        "34-CTr/TU",
        "29-NQ/TW",
        "Đẩy mạnh xã hội hóa giáo dục",
        "Sở GD&amp;ĐT",
        "70",
        "66",
        "Tổ chức thực hiện",
        "Lịch báo cáo hằng năm",
        "Trước ngày 30/11 hằng năm",
        "Định kỳ tháng 11 hằng năm",
        "Sở LĐTB&amp;XH",
        "UBND quận Lê Chân",
    ):
        assert text in html, text
    assert html.count('id="nhiem-vu-') == 42


def test_a_group_or_duty_item_with_nothing_in_it_keeps_its_place_on_the_plan_page(client, plan, agency_staff):
    # Groups and their tasks, duty items and their duties are read in one query each (a LEFT JOIN): an empty one is
    # still shown, in its place, and its neighbours keep theirs.
    TaskGroup.objects.create(plan=plan, number=9, title="Nhóm mới chưa có nhiệm vụ")
    emptied = DutyItem.objects.filter(plan=plan).order_by("number")[1]
    emptied.duties.all().delete()
    client.force_login(agency_staff)
    html = _plan_page(client, plan)
    tasks = html.split('id="chi-tieu"')[0]
    assert tasks.index('id="nhom-8"') < tasks.index('<h3 id="nhom-9">9. Nhóm mới chưa có nhiệm vụ</h3>')
    assert html.count('id="nhiem-vu-') == 42
    organisation = html.split('id="to-chuc"')[1].split('id="lich"')[0]
    items = list(DutyItem.objects.filter(plan=plan).order_by("number").prefetch_related("duties"))
    headings = [f"<h3>{item.number}. {escape(item.heading)}</h3>" for item in items]
    assert [organisation.index(heading) for heading in headings] == sorted(organisation.index(h) for h in headings)
    for item in items:
        section = organisation.split(f"<h3>{item.number}. ")[1].split("<h3>")[0]
        assert re.findall(r"<li>(.*?)</li>", section) == [escape(duty.text) for duty in item.duties.all()]
    assert "<ul></ul>" in organisation.split(headings[1])[1].split("<h3>")[0]


def test_a_plan_without_an_outlook_year_says_its_period_only(client, plan, agency_staff):
    # A plan file may leave out horizon.oriented_to: the page said "định hướng đến năm None".
    client.force_login(agency_staff)
    assert "Giai đoạn 2021–2025, định hướng đến năm 2030" in _plan_page(client, plan)
    Plan.objects.filter(pk=plan.pk).update(oriented_to=None)
    head = _plan_page(client, plan).split('class="toc"')[0]  # the document's head, before the plan's own texts
    assert "Giai đoạn 2021–2025 ·" in head and "định hướng đến năm" not in head and "None" not in head
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Period 2021–2025 ·" in _plan_page(client, plan)


def test_home_redirects_an_administrator_to_the_plan(client, plan, administrator):
    client.force_login(administrator)
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("plans:plan_detail", args=[plan.pk])
    assert "193/KH-UBND" in client.get(response["Location"]).content.decode()


def test_login_page_renders_in_vietnamese(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Đăng nhập" in response.content.decode()


def test_english_is_available_through_i18n(client, plan, agency_staff):
    client.force_login(agency_staff)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("plans:plan_detail", args=[plan.pk]))
    assert 'lang="en"' in response.content.decode()
    assert "Sign out" in response.content.decode()


@pytest.mark.parametrize("model", list(admin.site._registry))
def test_admin_lists_every_model(client, administrator, model):
    client.force_login(administrator)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200


def test_every_plan_model_is_registered_in_the_admin():
    from django.apps import apps

    for app in ("plans", "agencies", "reports"):
        for model in apps.get_app_config(app).get_models():
            if not model.__name__.startswith("Historical"):
                assert model in admin.site._registry, model


def test_plan_list_links_to_plan(client, plan, leader):
    client.force_login(leader)
    assert str(Plan.objects.get().pk) in client.get(reverse("plans:plan_list")).content.decode()


def test_administrator_confirms_a_proposed_assignment_and_history_records_it(client, administrator, plan):
    from plans.models import AssignmentStatus, TaskAssignment

    assignment = TaskAssignment.objects.filter(status=AssignmentStatus.PROPOSED).first()
    client.force_login(administrator)
    response = client.post(
        reverse("admin:plans_taskassignment_changelist"),
        {"action": "confirm_assignments", "_selected_action": [assignment.pk]},
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.CONFIRMED
    assert assignment.history.first().history_user == administrator


def test_an_english_browser_still_gets_vietnamese_until_the_person_switches(client, plan, agency_staff):
    client.force_login(agency_staff)
    response = client.get(reverse("plans:plan_detail", args=[plan.pk]), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="vi"' in response.content.decode()


def test_text_typed_in_the_admin_is_stored_nfc(client, administrator, plan):
    import unicodedata

    agency = Agency.objects.get(code="TTTP")
    decomposed = unicodedata.normalize("NFD", "Thanh tra thành phố Hải Phòng")
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    client.force_login(administrator)
    response = client.post(
        reverse("admin:agencies_agency_change", args=[agency.pk]),
        {
            "code": agency.code,
            "name": decomposed,
            "short_name": agency.short_name,
            "symbol": agency.symbol,
            "kind": agency.kind,
            "parent_body": agency.parent_body,
            "email": "",
            "valid_from": "2008-01-01",
            "valid_to": "",
            "successions-TOTAL_FORMS": "0",
            "successions-INITIAL_FORMS": "0",
            "successions-MIN_NUM_FORMS": "0",
            "successions-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    agency.refresh_from_db()
    assert agency.name == "Thanh tra thành phố Hải Phòng"
    assert unicodedata.is_normalized("NFC", agency.name)


def test_a_leader_lands_on_the_dashboard(client, plan, leader):
    client.force_login(leader)
    assert client.get(reverse("home"))["Location"] == reverse("reports:dashboard")


def co_operating_cell(html: str, task: str) -> str:
    """The co-operating cell (the fourth) of a task's row on the plan page."""
    row = re.search(rf'<tr id="nhiem-vu-{task.replace(".", "-")}">(.*?)</tr>', html, re.S)
    assert row, task
    return re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)[3]


@pytest.mark.django_db
def test_the_communes_of_a_task_are_one_line_that_opens_on_their_names(client, plan, agency_staff):
    """Since 1/7/2025 most tasks name the 50 communes that took over the districts' duties: the plan page printed
    their 50 names in each of 40 rows (18,000 px), a comma left hanging after the last."""
    apply(hai_phong_data())
    client.force_login(agency_staff)
    html = client.get(reverse("plans:plan_detail", args=[plan.pk])).content.decode()
    cell = co_operating_cell(html, "1.4")
    communes = [
        a.agency
        for a in TaskAssignment.objects.current().filter(
            task__group__plan=plan, task__group__number=1, task__number=4, role="co_operating", agency__kind="commune"
        )
    ]
    assert len(communes) >= GROUPED_FROM
    assert cell.startswith("Sở NV<details")  # a unit alone by name, then the group
    summary = re.search(r"<summary>(.*?)</summary>(.*?)</details>", cell, re.S)
    assert summary and summary.group(1) == f"Xã, phường, đặc khu: {len(communes)} đơn vị"
    listed = summary.group(2).split(", ")
    assert listed == [a.short_name for a in sorted(communes, key=lambda a: collation_key(a.name))]
    assert listed.index("UBND phường Đồ Sơn") < listed.index("UBND phường Hải An")  # Vietnamese order
    # Every cell of the column: the names joined, never a comma before the end of the cell.
    cells = [co_operating_cell(html, f"{g}.{t}") for g, t in re.findall(r'id="nhiem-vu-(\d+)-(\d+)"', html)]
    assert len(cells) == 42 and not any(c.rstrip().endswith(",") for c in cells)
    assert "Ban Tuyên giáo và Dân vận Thành ủy, Sở KH&amp;CN" in co_operating_cell(html, "1.1")


def test_fewer_units_of_a_kind_than_the_limit_stay_names():
    few = [(1, "department", f"Sở {n}") for n in range(GROUPED_FROM - 1)]
    many = [(1, "commune", f"Xã {n}") for n in range(GROUPED_FROM)]
    counted = {(1, "department"): len(few), (1, "commune"): len(many)}
    (written,) = group_units([*few, *many], counted).values()
    assert written.names == [name for _task, _kind, name in few]
    assert [(g.summary, g.names) for g in written.groups] == [
        (f"Xã, phường, đặc khu: {GROUPED_FROM} đơn vị", [name for _task, _kind, name in many])
    ]
    assert written.count == len(few) + len(many)


def test_a_group_too_large_to_print_is_counted_and_its_names_are_not_read():
    counted = {(1, "commune"): 3000, (1, "department"): 2}
    written = group_units([(1, "department", "Sở A"), (1, "department", "Sở B")], counted)[1]
    (group,) = written.groups
    assert group.names == [] and group.count == 3000 and group.summary == "Xã, phường, đặc khu: 3.000 đơn vị"
    assert written.names == ["Sở A", "Sở B"] and written.count == 3002


def _plan_page(client, plan) -> str:
    response = client.get(reverse("plans:plan_detail", args=[plan.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_plan_page_reads_as_many_queries_after_the_reorganisation_as_before(
    client, plan, agency_staff, django_assert_num_queries
):
    """The names are read in one query whatever their number: before 1/7/2025 a task named 15 districts, after it
    50 communes (and nationally 3,000 units)."""
    client.force_login(agency_staff)
    _plan_page(client, plan)  # what is cached once per process
    with CaptureQueriesContext(connection) as before:
        small = _plan_page(client, plan)
    apply(hai_phong_data())
    with django_assert_num_queries(len(before)):
        large = _plan_page(client, plan)
    assert "Xã, phường, đặc khu: 50 đơn vị" not in small and "Xã, phường, đặc khu: 50 đơn vị" in large


@pytest.mark.django_db
def test_a_group_larger_than_the_page_prints_links_to_the_list_of_its_units(client, plan, agency_staff, monkeypatch):
    """Beyond NAMES_LISTED units of a kind the group says how many and links to their list, a page at a time, in
    name order, filtered by the kind; the names are not read for the plan page."""
    apply(hai_phong_data())
    client.force_login(agency_staff)
    with CaptureQueriesContext(connection) as queries:
        _plan_page(client, plan)
    assert any("'commune'" in q["sql"] for q in queries.captured_queries)  # 50 ≤ 200: the names are read
    monkeypatch.setattr(selectors, "NAMES_LISTED", 20)
    monkeypatch.setattr(views, "UNITS_PAGE_SIZE", 30)
    with CaptureQueriesContext(connection) as queries:
        html = _plan_page(client, plan)
    task = Task.objects.get(group__plan=plan, group__number=1, number=4)
    communes = sorted(
        (
            (a.agency.name, a.agency.short_name)
            for a in TaskAssignment.objects.current().filter(task=task, role="co_operating", agency__kind="commune")
        ),
        key=lambda names: collation_key(names[0]),
    )
    assert len(communes) == 50
    cell = co_operating_cell(html, "1.4")
    url = reverse("plans:task_units", args=[plan.pk, task.pk]) + "?kind=commune"
    assert cell == (
        'Sở NV<details class="agency-group"><summary>Xã, phường, đặc khu: 50 đơn vị</summary>'
        f'<a href="{url}">Xem danh sách</a></details>'
    )
    assert not any("'commune'" in q["sql"] for q in queries.captured_queries)  # 50 > 20: no name is read
    assert communes[0][1] not in html.split('id="to-chuc"')[0]

    def listed(query: dict) -> list[str]:
        response = client.get(reverse("plans:task_units", args=[plan.pk, task.pk]), query)
        assert response.status_code == 200
        listed.count = response.context["page"].paginator.count  # type: ignore[attr-defined]
        return re.findall(r"<tr><td>\d+</td><td>([^<]+)</td>", response.content.decode())

    first, second = listed({"kind": "commune"}), listed({"kind": "commune", "page": 2})
    assert len(first) == 30 and first + second == [name for name, _short in communes]
    # Vietnamese order: "Đồ Sơn" among the D's, before "Hải An" (code points, and PostgreSQL's C collation, put
    # every "Đ" after "Z").
    listed_names = first + second
    assert listed_names.index("Ủy ban nhân dân phường Đồ Sơn") < listed_names.index("Ủy ban nhân dân phường Hải An")
    assert listed.count == 50  # type: ignore[attr-defined]
    everyone = listed({"kind": "nothing\x00"})  # an unknown kind lists every kind, never fails
    assert listed.count == 51 and len(everyone) == 30  # type: ignore[attr-defined]
    assert listed({"page": "x"}) == everyone
    # ?per_page= shows fewer, never more, and a nonsense value keeps the page size.
    assert len(listed({"kind": "commune", "per_page": "7"})) == 7
    for nonsense in ("0", "-3", "abc", "9" * 5000):
        assert len(listed({"kind": "commune", "per_page": nonsense})) in (1, 30)
    assert len(listed({"kind": "commune", "per_page": "1000"})) == 30


@pytest.mark.django_db
def test_a_duty_item_of_many_communes_is_grouped_too(client, plan, agency_staff):
    """Section III: the districts' item applies, since 1/7/2025, to the 50 communes that took over."""
    apply(hai_phong_data())
    client.force_login(agency_staff)
    html = _plan_page(client, plan).split('id="to-chuc"')[1]
    item = DutyItem.objects.filter(plan=plan, agencies__kind="commune").distinct().first()
    count = item.agencies.filter(kind="commune").count()
    section = html.split(f"<h3>{item.number}. ")[1].split("<h3>")[0]
    names = re.search(r"<summary>Xã, phường, đặc khu: (\d+) đơn vị</summary>([^<]*)</details>", section)
    assert names and int(names.group(1)) == count
    # Their names, in place (fewer than NAMES_LISTED), in Vietnamese order.
    communes = sorted(item.agencies.filter(kind="commune"), key=lambda a: (collation_key(a.name), a.pk))
    assert names.group(2).split(", ") == [escape(a.short_name) for a in communes]


@pytest.mark.django_db
def test_the_list_of_units_belongs_to_its_plan_and_needs_a_login(client, plan, agency_staff):
    task = Task.objects.filter(group__plan=plan).first()
    item = DutyItem.objects.filter(plan=plan).first()
    urls = [
        reverse("plans:task_units", args=[plan.pk, task.pk]),
        reverse("plans:duty_item_units", args=[plan.pk, item.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302
    client.force_login(agency_staff)
    for url in urls:
        assert client.get(url).status_code == 200
    assert client.get(reverse("plans:task_units", args=[plan.pk + 1, task.pk])).status_code == 404
    assert client.get(reverse("plans:duty_item_units", args=[plan.pk + 1, item.pk])).status_code == 404
