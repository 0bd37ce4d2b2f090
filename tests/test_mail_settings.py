"""Issue 12: mail is configured from the environment (EMAIL_URL through django-environ, the file path too)."""

from __future__ import annotations

from tests.fresh_process import json_from_fresh_process

CODE = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_USE_TLS, "
    "s.EMAIL_FILE_PATH]))"
)


def settings_with(**variables: str) -> list:
    # An EMAIL_BACKEND of the test run's environment would override what EMAIL_URL sets.
    return json_from_fresh_process(CODE, environment={"EMAIL_BACKEND": None, **variables}, timeout=60)


def test_email_url_sets_the_smtp_server_and_the_file_backend_its_folder():
    backend, host, port, user, tls, _path = settings_with(EMAIL_URL="smtp+tls://so:bi-mat@mail.haiphong.gov.vn:587")
    assert backend.endswith("smtp.EmailBackend") and (host, port, user, tls) == (
        "mail.haiphong.gov.vn",
        587,
        "so",
        True,
    )
    backend, *_rest, path = settings_with(EMAIL_URL="filemail:///var/mail/hptracker")
    assert backend.endswith("filebased.EmailBackend") and path == "/var/mail/hptracker"
    *_rest, path = settings_with(EMAIL_URL="filemail:///tmp/x", EMAIL_FILE_PATH="/srv/thu")
    assert path == "/srv/thu"
