"""Shared fixtures: the loaded plan and named people (agency_staff, other_agency_staff, education_reviewer, …)."""

from __future__ import annotations

import os
import shutil
import threading
import traceback
import warnings
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connections
from django.db.backends.signals import connection_created

from agencies.models import Agency, Membership, Role
from plans.loading import load_plan, read_plan_file
from plans.models import Plan, Task, TaskAssignment

REPO = Path(__file__).resolve().parent.parent
PLAN_FILE = REPO / "plans" / "data" / "ke-hoach-193-KH-UBND-2021.json"

# Playwright's sync API runs an event loop in the test thread; Django's live_server needs this to allow ORM use.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def plan_data() -> dict:
    return read_plan_file(PLAN_FILE)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, plan_data):
    """Load plan 193 once into the test database; each test then runs in a transaction rolled back after it."""
    with django_db_blocker.unblock():
        load_plan(plan_data)


@pytest.fixture
def plan(db, plan_data):
    # A transactional test (browser, Celery worker) flushes every table when it ends: load the plan again then.
    return Plan.objects.filter(number=plan_data["number"]).first() or load_plan(plan_data)[0]


@pytest.fixture
def empty_database(db):
    """A test that needs the database as a fresh install has it: no plan, no agencies."""
    Plan.objects.all().delete()
    Membership.objects.all().delete()
    Agency.objects.all().delete()
    for model in (Plan, Agency, Task, TaskAssignment):
        model.history.all().delete()


# Real-looking Vietnamese names, stored the Vietnamese way (agencies.names): last_name = family and middle names,
# first_name = the given name; shown "Vũ Thị Chân". A person not listed gets a name made from the username.
PEOPLE_NAMES = {
    "snv.canbo": ("Vũ Thị", "Chân"),
    "snv.lanhdao": ("Hoàng Văn", "Lê"),
    "catp.canbo": ("Đặng Minh", "Tuấn"),
    "lechan.canbo": ("Phạm Thu", "Hà"),
    "lechan.lanhdao": ("Nguyễn Đức", "Thắng"),
    "sgddt.thamdinh": ("Trần Thị", "Thẩm"),
    "sldtbxh.thamdinh": ("Bùi Quang", "Huy"),
    "lanhdao": ("Lê Văn", "Thành"),
    "quantri": ("Đỗ Thị", "Quyên"),
}


def make_person(username: str, role: str, agency: Agency | None, *, password: str = "mat-khau-thu-nghiem-2026"):
    last_name, first_name = PEOPLE_NAMES.get(username, ("Nguyễn Văn", username.split(".")[0].title()))
    user = get_user_model().objects.create_user(
        username=username,
        password=password,
        email=f"{username}@example.vn",
        first_name=first_name,
        last_name=last_name,
    )
    Membership.objects.create(user=user, agency=agency, role=role)
    return user


@pytest.fixture
def agency(plan) -> Agency:
    """A city department with tasks of its own to report on (Sở Nội vụ)."""
    return Agency.objects.get(code="SNV")


@pytest.fixture
def other_agency(plan) -> Agency:
    return Agency.objects.get(code="CATP")


@pytest.fixture
def district(plan) -> Agency:
    return Agency.objects.get(code="Q_LECHAN")


@pytest.fixture
def agency_staff(agency):
    return make_person("snv.canbo", Role.STAFF, agency)


@pytest.fixture
def agency_head(agency):
    return make_person("snv.lanhdao", Role.HEAD, agency)


@pytest.fixture
def other_agency_staff(other_agency):
    return make_person("catp.canbo", Role.STAFF, other_agency)


@pytest.fixture
def district_staff(district):
    return make_person("lechan.canbo", Role.STAFF, district)


@pytest.fixture
def district_head(district):
    return make_person("lechan.lanhdao", Role.HEAD, district)


@pytest.fixture
def education_reviewer(plan):
    return make_person("sgddt.thamdinh", Role.REVIEWER, Agency.objects.get(code="SGDDT"))


@pytest.fixture
def labour_reviewer(plan):
    return make_person("sldtbxh.thamdinh", Role.REVIEWER, Agency.objects.get(code="SLDTBXH"))


@pytest.fixture
def leader(plan):
    return make_person("lanhdao", Role.LEADER, Agency.objects.get(code="UBND_TP"))


@pytest.fixture
def administrator(plan):
    user = make_person("quantri", Role.ADMIN, None)
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def outsider(db):
    """Signed in, but with no membership: sees nothing of any agency."""
    return get_user_model().objects.create_user(username="nguoila", password="mat-khau-thu-nghiem-2026")


# --- browser tests: Debian's Chromium, never a downloaded browser ---------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    return {
        **browser_type_launch_args,
        "executable_path": executable,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh", "accept_downloads": True}


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    names = getattr(item, "fixturenames", ())
    return bool((marker and marker.kwargs.get("transaction")) or "transactional_db" in names or "live_server" in names)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (browser, Celery worker) ends with every table flushed. Put plan 193 back, committed,
    so that the tests after it find the database as django_db_setup left it.

    The session this opens is closed here, before the next test: `sessions_left_open` found one opened by this
    hook still open at the end of a run (named after the backup test, idle after its COMMIT), which kept the test
    database from being dropped."""
    yield
    if _is_transactional(item) and nextitem is not None:
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            load_plan(read_plan_file(PLAN_FILE))
            connections.close_all()


@pytest.fixture(autouse=True)
def _vietnamese_between_tests():
    """The test client leaves the last response's language active in the thread; a test that switched to
    English must not make the next test's service messages English."""
    from django.utils import translation

    yield
    translation.activate("vi")


@pytest.fixture
def private_media(settings, tmp_path):
    """Evidence and rendered files of this test go to a temporary folder."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def purged_celery_queue():
    """Tests with a real worker start and end with an empty queue on the shared Redis."""
    from hptracker.celery import app

    app.control.purge()
    yield
    app.control.purge()


@pytest.fixture(autouse=True)
def worker_connections_close_after_each_task(request):
    """A real Celery worker (tests marked celery_integration) runs tasks in a thread of its own, with its own
    database connection. With CONN_MAX_AGE 0, Celery's Django fixup closes it after each task. With the settings'
    60 s it outlived the worker and held the test database open when the session dropped it ("database
    test_hptracker is being accessed by other users", at the end of every run)."""
    if request.node.get_closest_marker("celery_integration") is None:
        yield
        return
    database = connections.settings["default"]
    saved = database.get("CONN_MAX_AGE")
    database["CONN_MAX_AGE"] = 0
    yield
    database["CONN_MAX_AGE"] = saved


RUNNING_TEST = {"id": ""}


@pytest.fixture(autouse=True)
def running_test(request):
    RUNNING_TEST["id"] = request.node.nodeid
    yield


def name_connection_after_the_test(sender, connection, **kwargs):
    """Each new PostgreSQL session is named after the test that opened it (pg_stat_activity.application_name,
    63 characters at most), so that `sessions_left_open` can say which test left one. Through the driver's own
    cursor: no query a test counts."""
    if connection.vendor == "postgresql":
        # The thread too when it is not the test's own (a worker, a heartbeat, the live server): a session left
        # open by a thread that outlived its test is named after the test that was running when it connected.
        thread = threading.current_thread().name
        suffix = "" if thread == "MainThread" else f"@{thread[:20]}"
        with connection.connection.cursor() as cursor:
            cursor.execute("SET application_name = %s", [RUNNING_TEST["id"][-(63 - len(suffix)) :] + suffix])
        # Where it was opened (the project's frames), for the end-of-run warning should this session outlive it.
        frames = [
            f"{Path(frame.filename).relative_to(REPO)}:{frame.lineno} {frame.name}"
            for frame in traceback.extract_stack()[:-1]
            if frame.filename.startswith(str(REPO)) and "/.venv/" not in frame.filename
        ]
        OPENED_AT[connection.connection.get_backend_pid()] = " < ".join(reversed(frames[-6:]))


OPENED_AT: dict[int, str] = {}
connection_created.connect(name_connection_after_the_test)


@pytest.fixture(scope="session", autouse=True)
def sessions_left_open(django_db_setup, django_db_blocker):
    """Names what still holds the test database when the run ends (pytest-django then cannot drop it and says
    only "being accessed by other users"): each other session's test, state, start, last statement and, if this
    process opened it, the project's frames that did, as a warning."""
    yield
    with django_db_blocker.unblock(), connections["default"].cursor() as cursor:
        if connections["default"].vendor != "postgresql":
            return
        cursor.execute(
            "SELECT application_name, state, backend_start, left(query, 300), pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        left_open = [(*row[:4], OPENED_AT.get(row[4], "not opened by this process")) for row in cursor.fetchall()]
    if left_open:
        warnings.warn(f"sessions still open on the test database at the end of the run: {left_open}", stacklevel=1)
