"""Two people edit the same report: the second save from a stale version is refused, nothing is overwritten,
and the second person's typed text stays on their screen."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.urls import reverse

from reports.errors import WorkflowError
from reports.models import Submission
from reports.submissions.services import submission_save
from tests.reports.submission_helpers import edit_post, open_cycle, started


@pytest.mark.django_db
def test_stale_edit_form_is_refused_and_the_typed_text_is_shown_again(client, plan, agency, agency_staff, agency_head):
    submission = started(open_cycle(plan), agency, agency_staff)
    report = submission.task_reports.order_by("pk").first()
    # Both open the edit page at version 1.
    staff_form = edit_post(submission, assessment="Bản của cán bộ", **{f"t{report.pk}-results": "Kết quả cán bộ"})
    head_form = edit_post(submission, assessment="Bản của lãnh đạo")
    url = reverse("reports:submission_edit", args=[submission.pk])
    client.force_login(agency_head)
    assert client.post(url, head_form).status_code == 302
    client.force_login(agency_staff)
    response = client.post(url, staff_form)
    assert response.status_code == 200
    html = response.content.decode()
    assert "vừa được người khác lưu" in html
    assert "Bản của cán bộ" in html and "Kết quả cán bộ" in html
    submission.refresh_from_db()
    report.refresh_from_db()
    assert submission.assessment == "Bản của lãnh đạo" and submission.version == 2
    assert report.results == ""
    assert submission.events.filter(kind="saved").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_from_the_same_version_write_exactly_once(plan, agency, agency_staff, agency_head):
    submission = started(open_cycle(plan), agency, agency_staff)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def save(person, text):
        try:
            barrier.wait(timeout=10)
            submission_save(submission=submission, by=person, version=1, general={"assessment": text}, tasks={})
            outcomes[text] = "saved"
        except WorkflowError as error:
            outcomes[text] = str(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(person, text))
        for person, text in ((agency_staff, "Bản A"), (agency_head, "Bản B"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(v == "saved" for v in outcomes.values()) == [False, True]
    winner = next(text for text, outcome in outcomes.items() if outcome == "saved")
    loser = next(outcome for outcome in outcomes.values() if outcome != "saved")
    assert "vừa được người khác lưu" in loser
    stored = Submission.objects.get(pk=submission.pk)
    assert stored.assessment == winner and stored.version == 2
    assert stored.events.filter(kind="saved").count() == 1
