"""Settings for hptracker, driven by environment variables.

The defaults let `make run` work on a fresh machine: an embedded SQLite file and Celery tasks run in-process
when no broker is configured. Production, docker-compose and CI name PostgreSQL and Redis through
DATABASE_URL and REDIS_URL.
"""

from __future__ import annotations

from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# A password such as "$ecret" must not be read as a reference to another variable.
env.escape_proxy = True

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG and env.bool("DJANGO_REQUIRE_SECRET_KEY", default=False):
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production.")
    SECRET_KEY = "insecure-development-key-only-for-make-run-and-tests"
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "simple_history",
    "axes",
    "agencies",
    "plans",
    "reports",
    # For its management commands (backup, restore) and the table rows tag (templatetags/portal_tables); no models.
    "hptracker",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "hptracker.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "hptracker.middleware.MalformedRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks, so that it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "hptracker.urls"
WSGI_APPLICATION = "hptracker.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'hptracker.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    # No JIT: the dashboard's queries are estimated costly (correlated subqueries over every expected report)
    # but run in tens of milliseconds; PostgreSQL then spent ~500 ms compiling them (EXPLAIN in
    # docs/benchmarks.md). An interactive portal never gains from JIT. random_page_cost 1.1 (the default 4 is
    # for spinning disks): the portal's working set is in memory, and at 4 PostgreSQL read all 69,494 rows of the
    # difficulties index across ten years rather than probe it for one year's 2,508 reports (55 → 26 ms).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off -c work_mem=16MB -c random_page_cost=1.1"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Plain inputs, text areas and labels written in Python: half of the report edit page's time (hptracker.form_rendering).
FORM_RENDERER = "hptracker.form_rendering.PortalFormRenderer"

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # A Redis that stalls must not hold a page until gunicorn's timeout: the dashboard counts live instead
    # (reports.dashboard.figures_cache) after at most a second.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTHENTICATION_BACKENDS = [
    # django-axes first so that a locked-out username + address never reaches the password check.
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend that loads the membership and its agency with the user (one query per request instead of
    # three); ModelBackend stays listed so that sessions opened before it keep working.
    "agencies.backends.MembershipBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# What every page's navigation asks of the person (unread notifications, whether their agency first receives the
# agencies' reports), loaded with them by agencies.backends in the same query.
USER_ANNOTATIONS = "reports.navigation.user_annotations"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# A whole department sits behind one NAT address: lock the username + address pair, not the address.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.str("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded evidence and rendered reports are private: never served under a public URL, only through views
# that check permission.
MEDIA_ROOT = env.str("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media"))
MEDIA_URL = "/private-media/"

# Mail: EMAIL_URL (django-environ: smtp://user:pass@host:587/?tls=True, consolemail://, filemail:///path,
# memorymail://) sets backend, host, port, user, password and TLS in one variable; EMAIL_BACKEND still wins when
# set. EMAIL_FILE_PATH is the folder of the file backend.
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default=_email["EMAIL_BACKEND"])
EMAIL_HOST = env.str("EMAIL_HOST", default=_email.get("EMAIL_HOST") or "localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=_email.get("EMAIL_PORT") or 25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default=_email.get("EMAIL_HOST_USER") or "")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default=_email.get("EMAIL_HOST_PASSWORD") or "")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=bool(_email.get("EMAIL_USE_TLS")))
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=bool(_email.get("EMAIL_USE_SSL")))
# django-environ drops the leading "/" of filemail:///var/mail; the file backend wants the absolute folder.
_email_path = _email.get("EMAIL_FILE_PATH") or ""
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=("/" + _email_path.lstrip("/")) if _email_path else "")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="hptracker <khong-tra-loi@haiphong.edu.vn>")
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")

# Celery: Redis as broker when REDIS_URL is set; otherwise run tasks in-process so that `make run` needs no
# services. Time limits stay above the longest render and below Redis' visibility timeout, so an acks_late
# task is never delivered twice while it is still running.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# How often the beat recounts the dashboard's figures (reports.dashboard.warming); they are also recounted before
# they expire from the cache, within three such periods.
FIGURES_WARM_SECONDS = env.float("FIGURES_WARM_SECONDS", default=30.0)
# Beat only wakes scanners; what is due lives in PostgreSQL (CycleDeadline, ReminderDelivery). Run exactly one
# beat process. The reminder scan runs at 7:00 and again at 13:00 so that a worker down in the morning still
# reminds the same day; the second run finds the morning's rows claimed and sends nothing twice.
CELERY_BEAT_SCHEDULE: dict = {
    "scan-reminders": {
        "task": "reports.reminders.tasks.scan_reminders",
        "schedule": crontab(minute=0, hour="7,13"),
    },
    "open-current-cycle": {
        "task": "reports.cycles.tasks.open_current_cycle",
        "schedule": crontab(minute=10, hour=0, day_of_month=1, month_of_year=1),
    },
    # Workflow notification mail: retries that came due, and mails whose queued task was lost.
    "flush-notification-mail": {
        "task": "reports.notifications.tasks.flush_notification_mail",
        "schedule": 120.0,
    },
    # Also the sweep that re-queues a render whose worker died, so it runs often; it is cheap when idle.
    "expire-generated-reports": {
        "task": "reports.documents.tasks.expire_generated_reports",
        # Every minute: a render whose heartbeat stopped is requeued within a minute or two (issue 10).
        "schedule": 60.0,
    },
    "expire-dashboard-exports": {
        "task": "reports.dashboard.tasks.expire_dashboard_exports",
        "schedule": 600.0,
    },
    # The dashboard's figures recounted after any write the workflow did not announce (reports.dashboard.warming):
    # one query and one cache read when nothing changed.
    "warm-dashboard-figures": {
        "task": "reports.dashboard.tasks.warm_dashboard_figures",
        "schedule": FIGURES_WARM_SECONDS,
    },
    # Sends the background work the broker could not take when a request asked (reports.outbox): after a Redis
    # outage, pending work starts within this period of its return.
    "sweep-outbox": {
        "task": "reports.outbox.tasks.sweep_outbox",
        "schedule": env.float("OUTBOX_SWEEP_SECONDS", default=60.0),
    },
}

# Deadline reminders, counted in Vietnamese working days (reports/workdays.py, reports/services/reminders.py).
REMINDER_OFFSETS_BEFORE = env.list("REMINDER_OFFSETS_BEFORE", cast=int, default=[14, 7, 3, 1])
REMINDER_OVERDUE_EVERY = env.int("REMINDER_OVERDUE_EVERY", default=3)
REMINDER_OVERDUE_MAX_COUNT = env.int("REMINDER_OVERDUE_MAX_COUNT", default=10)
# A reminder whose day was missed (beat or worker down) is still sent, once, within this many working days.
REMINDER_CATCH_UP_WORKING_DAYS = env.int("REMINDER_CATCH_UP_WORKING_DAYS", default=2)
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=3)
REMINDER_CLAIM_TIMEOUT_SECONDS = env.int("REMINDER_CLAIM_TIMEOUT_SECONDS", default=3600)

# Workflow notifications (reports/notifications): events of one person within the digest window become one mail
# (in-process tasks, as in `make run`, send at once); a failed mail is retried after RETRY × 4ⁿ seconds.
NOTIFICATION_DIGEST_SECONDS = env.int("NOTIFICATION_DIGEST_SECONDS", default=300 if REDIS_URL else 0)
NOTIFICATION_CLAIM_TIMEOUT_SECONDS = env.int("NOTIFICATION_CLAIM_TIMEOUT_SECONDS", default=3600)
NOTIFICATION_MAX_ATTEMPTS = env.int("NOTIFICATION_MAX_ATTEMPTS", default=4)
NOTIFICATION_RETRY_SECONDS = env.int("NOTIFICATION_RETRY_SECONDS", default=300)

# SQLite (make run only) ignores the INCLUDE columns of the dashboard's covering index; PostgreSQL uses them.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

DJANGO_TABLES2_TEMPLATE = "django_tables2/hptracker.html"  # django-tables2's plain table, its pager in our words

# Upload limits for evidence files (minh chứng).
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
# Behind the city's HTTPS reverse proxy: cookies only over HTTPS and the proxy's scheme trusted. Off by default so
# that `make run` works on http://127.0.0.1.
HTTPS = env.bool("DJANGO_HTTPS", default=False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Preloading is a request to the browser vendors' list that takes months to undo, so it is the city's decision,
# made by setting DJANGO_HSTS_PRELOAD; until then `check --deploy` is told that its absence is deliberate.
SECURE_HSTS_PRELOAD = HTTPS and env.bool("DJANGO_HSTS_PRELOAD", default=False)
if HTTPS and not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")
# The load balancer asks /healthz over plain HTTP inside the network: answer it, do not redirect it.
SECURE_REDIRECT_EXEMPT = [r"^healthz"]
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)  # one working day
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"quiet_client_errors": {"()": "hptracker.logfilters.QuietClientErrors"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
    "loggers": {
        "hptracker": {"level": "INFO"},
        "reports": {"level": "INFO"},
        # A 403 or 404 is one line, not a traceback (issue 12).
        "django.request": {"filters": ["quiet_client_errors"]},
        "django.server": {"filters": ["quiet_client_errors"]},
    },
}

# --- Generated PDF reports (reports/services/documents.py) ----------------------------------------------------
# Drafts of the consolidated report are deleted, with their files, this many days after they were requested;
# numbered (issued) documents are kept.
GENERATED_REPORT_DRAFT_DAYS = env.int("GENERATED_REPORT_DRAFT_DAYS", default=7)
# Dashboard exports: up to this many rows the file is written from the request (CSV streamed); above it a Celery
# task renders it and the requester downloads it from "Tệp đã xuất" for EXPORT_KEEP_DAYS days.
EXPORT_STREAM_MAX_ROWS = env.int("EXPORT_STREAM_MAX_ROWS", default=5000)
# An XLSX file is written whole before its first byte leaves (a zip), about three times as slow a row as CSV:
# 3,000 rows took 1.2 s in the request nationally. Its own, lower cap keeps an in-request export near a second.
EXPORT_XLSX_STREAM_MAX_ROWS = env.int("EXPORT_XLSX_STREAM_MAX_ROWS", default=2000)
EXPORT_KEEP_DAYS = env.int("EXPORT_KEEP_DAYS", default=3)
# An export of 150,000 rows takes minutes, longer than a PDF: its own hard limit, and a record RENDERING for
# longer than that plus a margin lost its worker.
EXPORT_TIME_LIMIT = env.int("EXPORT_TIME_LIMIT", default=1800)
EXPORT_STALE_SECONDS = EXPORT_TIME_LIMIT + 60
# A record still RENDERING this long after it started lost its worker (killed, out of memory): the hard time
# limit plus a margin, so a render that is merely slow is never taken over.
GENERATED_REPORT_STALE_SECONDS = env.int("GENERATED_REPORT_STALE_SECONDS", default=CELERY_TASK_TIME_LIMIT + 60)
# A rendering task writes a heartbeat on its record every GENERATED_REPORT_HEARTBEAT_SECONDS; a heartbeat older than
# GENERATED_REPORT_HEARTBEAT_STALE_SECONDS means the worker died: the page says so and the sweep requeues the record.
GENERATED_REPORT_HEARTBEAT_SECONDS = env.int("GENERATED_REPORT_HEARTBEAT_SECONDS", default=10)
GENERATED_REPORT_HEARTBEAT_STALE_SECONDS = env.int("GENERATED_REPORT_HEARTBEAT_STALE_SECONDS", default=60)

# --- Digital signatures (reports/signatures/) -------------------------------------------------------------------
# Fernet key (44 characters, `Fernet.generate_key()`) that encrypts the bodies' private signing keys at rest; empty
# means no body certificate can be uploaded or used. Changing it makes the stored keys unusable (upload them again).
SIGNING_KEY_ENCRYPTION_KEY = env.str("SIGNING_KEY_ENCRYPTION_KEY", default="")
# A RFC 3161 timestamp authority: with one, server-side signatures are PAdES-B-LT; without, PAdES-B-B.
SIGNING_TSA_URL = env.str("SIGNING_TSA_URL", default="")
# Largest signed PDF accepted for upload or verification.
SIGNED_PDF_MAX_BYTES = env.int("SIGNED_PDF_MAX_BYTES", default=30 * 1024 * 1024)

# --- Health checks (hptracker/health.py) ------------------------------------------------------------------------
# /healthz/full answers an administrator's session, or a request carrying this token in X-Health-Token (or
# "Authorization: Bearer …"); empty means no token is accepted.
HEALTH_TOKEN = env.str("HEALTH_TOKEN", default="")
HEALTH_WORKER_TIMEOUT = env.float("HEALTH_WORKER_TIMEOUT", default=1.0)
# Beat's last run may be this old; 0 means the most frequent schedule entry's period plus the grace below.
HEALTH_BEAT_MAX_AGE_SECONDS = env.int("HEALTH_BEAT_MAX_AGE_SECONDS", default=0)
HEALTH_BEAT_GRACE_SECONDS = env.int("HEALTH_BEAT_GRACE_SECONDS", default=120)
HEALTH_MEDIA_MIN_FREE_BYTES = env.int("HEALTH_MEDIA_MIN_FREE_BYTES", default=1024**3)
# A generated document still queued after this many seconds means the queue is not moving.
HEALTH_PENDING_JOB_MAX_AGE = env.int("HEALTH_PENDING_JOB_MAX_AGE", default=300)

# --- Content-Security-Policy (django-csp) -----------------------------------------------------------------------
# Every script, style, font and image comes from this site's own static files (nothing from a CDN): no inline
# <script>, no on…= attribute, no style="" attribute anywhere in templates/ (static/js/ has one file per page).
# style-src is 'self' too: the few inline styles there were moved to CSS, and JavaScript that sets element.style
# (CSSOM) is not affected by it. Charts are inline <svg> markup with presentation attributes, which CSP allows.
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# --- Backups (hptracker/backup.py, make backup / make restore) ---------------------------------------------------
BACKUP_DIR = env.str("DJANGO_BACKUP_DIR", default=str(VAR_DIR / "backups"))
