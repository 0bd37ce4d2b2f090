"""Issue 12: a 403 is logged as one line, without the traceback of the PermissionDenied behind it."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_a_forbidden_request_is_one_log_line_without_a_traceback(client, agency_staff, caplog):
    client.force_login(agency_staff)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(reverse("reports:reviewer_inbox"))
    assert response.status_code == 403
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage().startswith("Forbidden") and record.exc_info is None
    assert "Traceback" not in caplog.text
