"""Error pages with DEBUG off: Vietnamese, with a way home, and the 500 page renders with nothing at all."""

from __future__ import annotations

import pytest
from django.core.exceptions import SuspiciousOperation
from django.template.loader import render_to_string
from django.test import Client
from django.urls import include, path, reverse

from reports.cycles.services import cycle_open


def boom(request):
    raise RuntimeError("a bug in a view")


def suspicious(request):
    raise SuspiciousOperation("forged input")


# The project's routes plus two that fail on purpose, for the tests marked with this module as URLconf.
urlpatterns = [
    path("loi-500/", boom),
    path("loi-400/", suspicious),
    path("", include("hptracker.urls")),
]


@pytest.fixture(autouse=True)
def production_like(settings):
    settings.DEBUG = False


@pytest.mark.django_db
def test_a_missing_page_is_a_vietnamese_404_with_a_link_home(client):
    response = client.get("/trang-khong-ton-tai/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy trang (lỗi 404)" in html and 'href="/"' in html and 'lang="vi"' in html


@pytest.mark.django_db
def test_a_missing_report_is_a_404_inside_the_portal_layout(client, agency_staff):
    client.force_login(agency_staff)
    response = client.get(reverse("reports:submission_detail", args=[999_999]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "Không tìm thấy trang" in html and "Đăng xuất" in html


@pytest.mark.django_db
def test_a_permission_denial_is_a_vietnamese_403(client, agency_staff):
    client.force_login(agency_staff)
    response = client.get(reverse("reports:reviewer_inbox"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "Không có quyền truy cập (lỗi 403)" in html and "Về trang chủ" in html


@pytest.mark.django_db
def test_a_post_without_the_csrf_token_is_a_vietnamese_403_and_changes_nothing(plan, education_reviewer):
    cycle = cycle_open(plan=plan, year=2026)
    client = Client(enforce_csrf_checks=True)
    client.force_login(education_reviewer)
    response = client.post(reverse("reports:cycle_lock", args=[cycle.pk]))
    assert response.status_code == 403
    html = response.content.decode()
    assert "mã bảo mật" in html and "CHƯA được lưu" in html and "Về trang chủ" in html
    assert "CSRF verification failed" not in html
    cycle.refresh_from_db()
    assert cycle.is_open


@pytest.mark.django_db
@pytest.mark.urls("tests.test_error_pages")
def test_a_suspicious_request_is_a_vietnamese_400(client):
    response = client.get("/loi-400/")
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ (lỗi 400)" in response.content.decode()


@pytest.mark.django_db
def test_a_request_for_another_host_is_a_vietnamese_400(client):
    response = client.get("/", headers={"host": "gia-mao.example"})
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in response.content.decode()


def test_the_500_page_renders_standalone_with_an_empty_context():
    html = render_to_string("500.html", {})
    assert "Hệ thống gặp lỗi (lỗi 500)" in html and 'href="/"' in html
    assert '<link rel="stylesheet" href="/static/css/site.css">' in html and "<!DOCTYPE html>" in html


@pytest.mark.django_db
@pytest.mark.urls("tests.test_error_pages")
def test_a_bug_in_a_view_shows_the_vietnamese_500_page():
    client = Client(raise_request_exception=False)
    response = client.get("/loi-500/")
    assert response.status_code == 500
    assert "Hệ thống gặp lỗi (lỗi 500)" in response.content.decode()
