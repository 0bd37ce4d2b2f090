"""django-axes locks the username + address pair after repeated failures: the right password is then refused
with the Vietnamese page, while a colleague behind the same address still signs in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agencies.models import Role
from tests.conftest import make_person

pytestmark = pytest.mark.django_db
PASSWORD = "mat-khau-thu-nghiem-2026"
OFFICE_IP = "10.20.30.40"


@pytest.fixture(autouse=True)
def fresh_axes():
    from axes.models import AccessAttempt, AccessFailureLog

    AccessAttempt.objects.all().delete()
    AccessFailureLog.objects.all().delete()


def login(client, username, password, ip=OFFICE_IP):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_five_failures_lock_the_username_on_that_address_only(client, agency_staff, agency):
    colleague = make_person("snv.dongnghiep", Role.STAFF, agency)
    for attempt in range(1, 6):
        response = login(client, agency_staff.username, "sai-mat-khau")
        if attempt < 5:
            assert response.status_code == 200
            assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
        else:  # the fifth failure reaches the limit and already answers with the lockout page
            assert response.status_code == 429
    locked = login(client, agency_staff.username, PASSWORD)
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Tài khoản tạm khóa" in page and "xin thử lại sau 15 phút" in page
    assert "_auth_user_id" not in client.session
    # A colleague behind the same NAT address is not locked out.
    response = login(client, colleague.username, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(colleague.pk)


def test_four_failures_do_not_lock(client, agency_staff):
    for _ in range(4):
        login(client, agency_staff.username, "sai-mat-khau")
    assert login(client, agency_staff.username, PASSWORD).status_code == 302
