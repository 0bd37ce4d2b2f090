"""docker compose cannot run here (no Docker engine): check the file that describes production instead."""

from __future__ import annotations

import yaml

from tests.conftest import REPO


def _compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_has_the_five_services():
    assert set(_compose()["services"]) == {"postgres", "redis", "web", "worker", "beat"}


def test_web_worker_and_beat_run_the_right_commands():
    services = _compose()["services"]
    web = " ".join(services["web"]["command"])
    worker = services["worker"]["command"]
    beat = services["beat"]["command"]
    assert "gunicorn hptracker.wsgi:application" in web and "migrate" in web
    assert worker[:4] == ["celery", "-A", "hptracker", "worker"]
    assert any(arg.startswith("--max-tasks-per-child=") for arg in worker)
    assert any(arg.startswith("--time-limit=") for arg in worker)
    assert beat[:4] == ["celery", "-A", "hptracker", "beat"]


def test_app_services_point_at_postgres_and_redis():
    services = _compose()["services"]
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://") and "@postgres:" in environment["DATABASE_URL"]
        assert environment["REDIS_URL"].startswith("redis://redis:")
        assert services[name]["build"] == "."
    assert services["postgres"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")


def test_dockerfile_installs_pango_and_the_fonts():
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert "libpango-1.0-0" in dockerfile and "fonts-liberation2" in dockerfile
    assert "FROM python:3.11" in dockerfile
