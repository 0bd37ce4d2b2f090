from __future__ import annotations

from django.urls import reverse


def test_health_endpoint_answers_without_signing_in_and_touches_the_database(client, db,
                                                                            django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200 and response.json() == {"status": "ok"}
