"""Shared steps of the browser tests."""

from __future__ import annotations

from django.urls import reverse

PASSWORD = "mat-khau-thu-nghiem-2026"  # the password tests.conftest.make_person gives everyone


def sign_in(page, live_server, username: str) -> None:
    """Through the real login form, as a person does; a previous person's session is dropped first."""
    page.context.clear_cookies()
    page.goto(live_server.url + reverse("login"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button.primary")
    page.wait_for_url(lambda url: "dang-nhap" not in url)
