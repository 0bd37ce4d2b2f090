"""gunicorn's settings for hptracker (`gunicorn -c hptracker/gunicorn.conf.py hptracker.wsgi:application`), used by
docker-compose, the Dockerfile and `make load`. Command-line options given after `-c` still win."""

from __future__ import annotations

import os

from gunicorn.http import wsgi

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
# A request never renders a PDF (Celery does); a minute is ample for the largest export.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Recycle workers now and then so that a slow leak never grows without bound; jitter avoids all restarting at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
errorlog = "-"
# Bigger than gunicorn's default of 4094 bytes only for the request line, which can carry a long filtered URL.
limit_request_line = 8190

# gunicorn has no setting for its "Server: gunicorn" header; it tells an attacker which server and so which
# advisories to try. Drop the line from the headers every response starts with (the config file is read in the
# master, before the workers are forked, so they all inherit this). tests/test_security_headers.py starts a real
# gunicorn with this file and fails if the header comes back after an upgrade.
_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(self):
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _default_headers_without_server


def post_worker_init(worker):
    """Each worker, once it has loaded the application: see hptracker.serving."""
    from hptracker.serving import settle_loaded_application

    settle_loaded_application()
