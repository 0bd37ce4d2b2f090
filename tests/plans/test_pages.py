from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from plans.models import Plan


def test_anonymous_visitor_is_sent_to_login(client, plan):
    response = client.get(reverse("plans:plan_detail", args=[plan.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_plan_page_shows_basis_groups_targets_duties_and_calendar(
    client, plan, agency_staff, django_assert_max_num_queries
):
    client.force_login(agency_staff)
    with django_assert_max_num_queries(20):
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

    from agencies.models import Agency

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
