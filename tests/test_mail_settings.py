"""Issue 12: mail is configured from the environment (EMAIL_URL through django-environ, the file path too)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import REPO

CODE = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps([s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_USE_TLS, "
    "s.EMAIL_FILE_PATH]))"
)


def settings_with(**variables: str) -> list:
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "hptracker.settings", **variables}
    environment.pop("EMAIL_BACKEND", None)
    done = subprocess.run(
        [sys.executable, "-c", CODE], cwd=REPO, env=environment, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


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
