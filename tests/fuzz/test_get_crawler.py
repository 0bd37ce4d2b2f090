"""Every GET URL of the portal, as every kind of person, with the query strings people and robots send: page=-1,
page=10⁹, Unicode digits, NUL, unknown filters and sort keys, 100k-character values. Never a 5xx."""

from __future__ import annotations

import time
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse

from tests.fuzz.world import build_world, routes, url_arguments

pytestmark = pytest.mark.django_db

# Health checks answer 503 when a dependency is down, by design (tests/test_health.py covers them).
NOT_CRAWLED = {"healthz", "healthz_full", "logout"}

ODD_QUERIES = [
    "",
    "page=-1",
    "page=0",
    "page=1000000000",
    "page=²",
    "page=abc",
    "page=1&page=2",
    "per_page=-5",
    "per_page=1000000000",
    "sort=khong-co",
    "sort=-" + "x" * 300,
    "khong_co_bo_loc=1",
    "agency=2147483648",
    "agency=9223372036854775808",
    "agency=²",
    "cycle=-1",
    "year=٣",
    "year=99999999999999999999",
    "state=khong-co",
    "q=%00",
    "q=a%00b",
    "q=" + quote("\u202eRTL\u202c"),
    "q=%ED%A0%80",  # a lone surrogate's bytes
    "q=%FF%FE",
    "q=" + "x" * 100_000,
    "_export=csv",
    "_export=xlsx",
    "_export=khong-co",
    "format=khong-co",
    "group=²&task=2147483648&rule=-1",
    "next=//evil.example/",
]


@pytest.fixture
def world(plan):
    return build_world(plan)


def test_every_get_url_with_odd_query_strings_answers_without_a_5xx(world):
    # Errors come back as responses, so that one run lists every failing URL.
    clients = {"anonymous": Client(raise_request_exception=False)}
    for key, user in world.users.items():
        clients[key] = Client(raise_request_exception=False)
        clients[key].force_login(user)
    checked, started = 0, time.monotonic()
    failures = []
    for name, pattern in routes():
        if name in NOT_CRAWLED:
            continue
        arguments = url_arguments(world, pattern)
        lists = arguments == [{}]  # a list page: where query strings matter
        for index, kwargs in enumerate(arguments[:2]):
            url = reverse(name, kwargs=kwargs)
            for who, client in clients.items():
                if lists and who == "reviewer":
                    queries = ODD_QUERIES  # every odd query on list pages, for a person who sees them all
                elif who == "reviewer":
                    queries = ODD_QUERIES[:6]  # an object's page: its paging only
                elif index == 0:
                    queries = ODD_QUERIES[:2]  # the plain URL and one odd page for everyone
                else:
                    continue
                for query in queries:
                    response = client.get(f"{url}?{query}" if query else url)
                    checked += 1
                    if response.status_code >= 500:
                        failures.append((who, f"{url}?{query[:80]}", response.status_code))
    print(f"\ncrawler: {checked} GET requests in {time.monotonic() - started:.0f} s")
    assert not failures, "\n".join(map(str, failures))
