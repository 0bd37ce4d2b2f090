"""docker compose cannot run here (no Docker engine): check the file that describes production instead."""

from __future__ import annotations

import datetime
import subprocess

import yaml

from tests.conftest import REPO


def _compose() -> dict:
    return yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_has_the_six_services():
    assert set(_compose()["services"]) == {"postgres", "redis", "web", "worker", "beat", "backup"}


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
    for name in ("web", "worker", "beat", "backup"):
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


def test_web_runs_gunicorn_with_the_project_config_file():
    web = " ".join(_compose()["services"]["web"]["command"])
    assert "-c hptracker/gunicorn.conf.py" in web and (REPO / "hptracker" / "gunicorn.conf.py").is_file()
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert '"-c", "hptracker/gunicorn.conf.py"' in dockerfile


def test_nightly_backup_service_keeps_a_bounded_number_of_archives():
    services = _compose()["services"]
    backup = services["backup"]
    script = backup["command"][2]
    assert backup["command"][:2] == ["sh", "-c"] and "python manage.py backup --keep" in script
    assert "media:/data/media:ro" in backup["volumes"] and "backups:/data/backups" in backup["volumes"]
    assert backup["environment"]["DJANGO_BACKUP_DIR"] == "/data/backups"
    assert backup["environment"]["BACKUP_KEEP"] == "${BACKUP_KEEP:-14}"
    assert "backups" in _compose()["volumes"]
    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    assert "postgresql-client" in dockerfile and "/data/backups" in dockerfile


def test_backup_service_sleeps_until_half_past_one_in_hai_phong():
    """The loop's sleep, run by a real sh with compose's $$ unescaped and the clock fixed: 18:30 UTC = 01:30 +07."""
    script = _compose()["services"]["backup"]["command"][2].replace("$$", "$")
    expression = script[script.index("sleep ") + len("sleep ") : script.index(");") + 1]
    for now, expected in (
        ("2026-11-30T18:00:00", 1800),
        ("2026-11-30T18:30:00", 0),
        ("2026-11-30T18:31:00", 86340),
        ("2026-11-30T02:00:00", 59400),
    ):
        epoch = int(datetime.datetime.fromisoformat(now).replace(tzinfo=datetime.UTC).timestamp())
        shell = expression.replace("$(date -u +%s)", str(epoch))
        result = subprocess.run(["sh", "-c", f"echo {shell}"], capture_output=True, text=True, check=True)
        assert int(result.stdout) == expected, (now, shell)
