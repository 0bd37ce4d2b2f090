"""Response headers: the Content-Security-Policy, HSTS with includeSubDomains (and preload when asked) behind HTTPS,
no Server header from a real gunicorn started with hptracker/gunicorn.conf.py, and `check --deploy` silent with
production settings. Settings that depend on the environment are read in a fresh process, as production reads them."""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.db import connection
from django.urls import reverse

from tests.conftest import REPO

PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_HTTPS": "true",
    "DJANGO_REQUIRE_SECRET_KEY": "true",
    "DJANGO_SECRET_KEY": "",  # filled per test: a long random key, as production has
    "DJANGO_ALLOWED_HOSTS": "baocao.haiphong.gov.vn",
    "DJANGO_SETTINGS_MODULE": "hptracker.settings",
}


def production_environment(**extra: str) -> dict[str, str]:
    # The test session's own switch for Playwright (tests/conftest.py) is never set in production.
    inherited = {name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**inherited, **PRODUCTION, "DJANGO_SECRET_KEY": secrets.token_urlsafe(60), **extra}


def test_every_page_carries_a_policy_without_unsafe_inline(client, db):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'" and directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'" and directives["form-action"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert client.get(reverse("healthz")).has_header("Content-Security-Policy")


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)


def test_no_template_shown_in_a_browser_has_inline_script_handler_or_style():
    """PDFs (WeasyPrint) and e-mails are not governed by the page's policy; every other template is."""
    offenders = []
    for path in sorted((REPO / "templates").rglob("*.html")):
        relative = path.relative_to(REPO / "templates")
        if relative.parts[0] in {"pdf", "emails"}:
            continue
        text = path.read_text(encoding="utf-8")
        for name, pattern in (
            ("inline <script>", INLINE_SCRIPT),
            ("on…= handler", HANDLER_ATTRIBUTE),
            ("style attribute", STYLE_ATTRIBUTE),
            ("<style>", STYLE_ELEMENT),
        ):
            offenders += [f"{relative}: {name}" for _ in pattern.finditer(text)]
    assert offenders == []


DJANGO_CLIENT = """
import json, django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="baocao.haiphong.gov.vn")
secure = client.get("/dang-nhap/", secure=True)
plain = client.get("/dang-nhap/")
health = client.get("/healthz")
print(json.dumps({"hsts": secure.get("Strict-Transport-Security"), "plain": [plain.status_code, plain.get("Location")],
                  "health": health.status_code}))
"""


def _in_a_fresh_process(environment: dict[str, str], code: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _test_database_url() -> str:
    return f"postgres://postgres@127.0.0.1:5432/{connection.settings_dict['NAME']}"


def test_behind_https_hsts_covers_subdomains_and_preload_is_a_setting(db):
    answers = _in_a_fresh_process(production_environment(DATABASE_URL=_test_database_url()), DJANGO_CLIENT)
    assert answers["hsts"] == "max-age=31536000; includeSubDomains"
    assert answers["plain"] == [301, "https://baocao.haiphong.gov.vn/dang-nhap/"]
    # The load balancer's plain-HTTP health check is answered, not redirected.
    assert answers["health"] == 200
    preloaded = _in_a_fresh_process(
        production_environment(DATABASE_URL=_test_database_url(), DJANGO_HSTS_PRELOAD="true"), DJANGO_CLIENT
    )
    assert preloaded["hsts"] == "max-age=31536000; includeSubDomains; preload"


def test_without_https_no_hsts_is_sent(client, db):
    assert not client.get(reverse("login"), secure=True).has_header("Strict-Transport-Security")


@pytest.mark.parametrize("preload", ["false", "true"])
def test_check_deploy_with_production_settings_prints_no_warning(preload):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=production_environment(DJANGO_HSTS_PRELOAD=preload),
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output and "WARNING" not in output


def _free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_gunicorn_with_the_project_config_sends_no_server_header(db, tmp_path):
    port = _free_loopback_port()
    environment = {**os.environ, "DATABASE_URL": _test_database_url(), "GUNICORN_ACCESSLOG": ""}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "hptracker.wsgi:application",
            "-c",
            "hptracker/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
        ],
        cwd=REPO,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=open(tmp_path / "gunicorn.log", "w"),
    )
    try:
        response = None
        deadline = time.monotonic() + 60
        while response is None and time.monotonic() < deadline:
            try:
                response = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=20)
            except OSError:  # not listening yet, or the worker still importing the project
                time.sleep(0.3)
        assert response is not None, (tmp_path / "gunicorn.log").read_text()
        assert response.status == 200
        assert response.headers.get("Server") is None, response.headers.get("Server")
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        login = urllib.request.urlopen(f"http://127.0.0.1:{port}/dang-nhap/", timeout=20)
        assert login.status == 200 and login.headers.get("Server") is None
    finally:
        process.terminate()
        process.wait(timeout=30)
