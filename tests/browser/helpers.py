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


class ConsoleErrors:
    """Every console error and uncaught page error of a Playwright page, collected while a browser test runs."""

    def __init__(self, page) -> None:
        self.messages: list[str] = []
        page.on("console", lambda message: message.type == "error" and self.messages.append(message.text))
        page.on("pageerror", lambda error: self.messages.append(f"pageerror: {error}"))
        # Chromium logs a refused inline script or style as a console error; the DOM event also catches what the
        # console might word differently, and names the directive.
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => console.error("
            "'Content Security Policy violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
        )

    @property
    def csp_violations(self) -> list[str]:
        return [text for text in self.messages if "Content Security Policy" in text]

    def assert_no_csp_violation(self) -> None:
        assert not self.csp_violations, self.csp_violations
