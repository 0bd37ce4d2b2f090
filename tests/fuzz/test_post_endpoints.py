"""Every POST endpoint, attacked by every kind of signed-in person (and by no one): Hypothesis payloads of random
Unicode (NUL, lone surrogates, RTL marks), 100k-character strings, Unicode digits, huge and negative numbers,
missing, duplicated and extra fields, files under right and wrong multipart names, ids of objects that are not
theirs or exist nowhere. Never a 5xx, and a refused request changes none of the report's rows.

A fixed seed and TOTAL_EXAMPLES (2,000 by default) spread over the endpoints; `FUZZ_EXAMPLES=20000` for more.
Each example runs inside a savepoint rolled back after it, so every one starts from the same state."""

from __future__ import annotations

import time

import pytest
from django.contrib.messages import constants
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from tests.fuzz.payloads import BOUNDARY, SEED, TOTAL_EXAMPLES, Payload, multipart, payloads, urlencoded
from tests.fuzz.world import build_world, routes, snapshot, url_arguments
from tests.reports.submission_helpers import edit_post

pytestmark = pytest.mark.django_db


# What each page's own form sends (the starting point that Hypothesis mutates), and the names files may come
# under. An endpoint missing here is still fuzzed, with random names only.
def base_fields(world, name: str) -> tuple[list[tuple[str, str]], list[str]]:
    draft = world.draft
    task_report = draft.task_reports.order_by("pk").first()
    table = {
        "reports:cycle_unlock": [("reason", "Bổ sung số liệu")],
        "reports:submission_start": [("rule", str(draft.rule_id)), ("prefill", "1")],
        "reports:inbox_acknowledge": [
            ("submission", str(world.sent.pk)),
            ("submission", str(world.accepted.pk)),
            ("filters", "state=acknowledge"),
        ],
        "reports:submission_edit": [*edit_post(draft).items(), ("remove_evidence", str(draft.evidence.first().pk))],
        "reports:submission_send": [("version", str(draft.version))],
        "reports:submission_return": [("reason", "Thiếu số liệu chỉ tiêu")],
        "reports:submission_accept": [("comment", "Đạt yêu cầu")],
        "reports:submission_comment": [("comment", "Xin bổ sung minh chứng")],
        "reports:submission_reopen": [("reason", "Sửa số liệu")],
        "reports:consolidated_report_request": [("cycle", str(world.cycle.pk)), ("final", "on")],
        "reports:notification_read": [("next", "/bao-cao/thong-bao/")],
        "reports:signing_settings": [
            ("action", "certificate"),
            ("agency", str(draft.agency_id)),
            ("password", "mat-khau"),
            ("name", "CA Chính phủ"),
        ],
        "login": [("username", "f.snv.canbo"), ("password", "mat-khau-thu-nghiem-2026")],
        "set_language": [("language", "en"), ("next", "/")],
    }
    files = {
        "reports:submission_edit": [
            "evidence-general",
            f"evidence-{task_report.pk}",
            "evidence-²",
            "evidence-99999999999999999999",
            "evidence-",
        ],
        "reports:signature_upload": ["file"],
        "reports:signature_verify": ["file"],
        "reports:signing_settings": ["pkcs12", "seal_image", "certificate"],
    }
    return [(k, str(v)) for k, v in table.get(name, [])], files.get(name, [])


def refused(name: str, response) -> bool:
    """Whether the request was turned down (an error status, or an error message on the page it leads to), in
    which case it must have changed nothing."""
    if response.status_code >= 400:
        return True
    if name == "reports:submission_edit":
        # The page comes back with its errors; a save redirects (even when the Send after it is refused).
        return response.status_code != 302
    # Only the messages this request added: the client follows no redirect, so an earlier request's messages wait
    # in the cookie, and an old error must not make a successful request look refused.
    storage = getattr(response.wsgi_request, "_messages", None)
    return any(m.level == constants.ERROR for m in getattr(storage, "_queued_messages", []))


@pytest.fixture
def world(plan):
    return build_world(plan)


def post_routes(world) -> list[tuple[str, str]]:
    """Every route that does not answer an empty POST with 405, found by asking, so that a new endpoint is
    fuzzed the day it is added."""
    found = []
    for name, pattern in routes():
        kwargs = url_arguments(world, pattern)[0]
        sid = transaction.savepoint()
        try:
            client = Client()  # a new one each time: the logout route ends the session
            client.force_login(world.users["admin"])
            status = client.post(reverse(name, kwargs=kwargs)).status_code
        finally:
            transaction.savepoint_rollback(sid)
        if status != 405:
            found.append((name, pattern))
    return found


EXPECTED_POST_ENDPOINTS = {
    "login",
    "logout",
    "set_language",
    "reports:cycle_lock",
    "reports:cycle_unlock",
    "reports:submission_start",
    "reports:inbox_acknowledge",
    "reports:submission_edit",
    "reports:submission_send",
    "reports:submission_return",
    "reports:submission_accept",
    "reports:submission_reopen",
    "reports:submission_acknowledge",
    "reports:consolidated_report_request",
    "reports:generated_report_retry",
    "reports:notification_read",
    "reports:notification_read_all",
    "reports:signature_sign",
    "reports:signature_upload",
    "reports:submission_issue_for_signing",
    "reports:signature_verify",
    "reports:signing_settings",
    "reports:consolidated_report_reissue",
    "reports:notification_settings",
}


def test_every_post_endpoint_listed_in_the_issue_is_found_by_the_fuzzer(world):
    found = {name for name, _ in post_routes(world)}
    assert EXPECTED_POST_ENDPOINTS <= found, EXPECTED_POST_ENDPOINTS - found


def attack(name: str, world, examples: int, counts: dict[str, int]):
    """One endpoint's Hypothesis test: who posts, to which object, what body."""
    pattern = dict(routes())[name]
    fields, file_names = base_fields(world, name)

    # One signed-in client per person, made before the examples' savepoints; a route that signs in or out
    # gets a fresh client each time instead.
    clients = {None: Client()}
    for user in world.users.values():
        clients[user.username] = Client()
        clients[user.username].force_login(user)
    fresh = name in {"login", "logout"}

    @seed(SEED)
    @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(
        person=st.sampled_from([None, *(u.username for u in world.users.values())]),
        kwargs=st.sampled_from(url_arguments(world, pattern)),
        payload=payloads(fields, file_names),
        as_multipart=st.booleans() if not file_names else st.just(True),
    )
    def run(person, kwargs, payload: Payload, as_multipart: bool) -> None:
        counts[name] = counts.get(name, 0) + 1
        sid = transaction.savepoint()
        try:
            client = clients[person]
            if fresh:
                client = Client()
                if person is not None:
                    client.force_login(world.users_by_name[person])
            before = snapshot()
            if as_multipart:
                body, content_type = multipart(payload), f"multipart/form-data; boundary={BOUNDARY}"
            else:
                body, content_type = urlencoded(payload), "application/x-www-form-urlencoded"
            response = client.generic("POST", reverse(name, kwargs=kwargs), body, content_type=content_type)
            assert response.status_code < 500, (name, person, response.status_code)
            if refused(name, response):
                assert snapshot() == before, f"{name} refused ({response.status_code}) but changed rows"
        finally:
            transaction.savepoint_rollback(sid)

    return run


# Health checks answer 503 when a dependency is down, by design (their own tests cover them); they read no body.
NOT_FUZZED = {"healthz", "healthz_full"}
# Pages that treat a POST as a GET (no form of theirs posts): a few examples each, the rest to the real forms.
PAGE_EXAMPLES = 10


def test_no_post_endpoint_gives_a_5xx_and_a_refused_one_changes_nothing(world):
    endpoints = [name for name, _ in post_routes(world) if name not in NOT_FUZZED]
    forms = [n for n in endpoints if n in EXPECTED_POST_ENDPOINTS or base_fields(world, n) != ([], [])]
    pages = [n for n in endpoints if n not in forms]
    per_form = max(20, (TOTAL_EXAMPLES - PAGE_EXAMPLES * len(pages)) // len(forms))
    counts: dict[str, int] = {}
    started = time.monotonic()
    for name in endpoints:
        attack(name, world, per_form if name in forms else PAGE_EXAMPLES, counts)()
    total = sum(counts.values())
    print(f"\nfuzz: {total} examples in {time.monotonic() - started:.0f} s over {len(counts)} POST endpoints: {counts}")
    assert set(counts) == set(endpoints) and total >= 0.9 * (per_form * len(forms) + PAGE_EXAMPLES * len(pages))
