"""The administrator sees what a succession moves before applying it: the preview writes nothing, and its button
applies exactly what it showed."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from agencies.models import Agency, AgencySuccession, SuccessionKind
from plans.models import ReportingRule, TaskAssignment
from reports.models import Cycle, Submission
from tests.plans.reorganisation_helpers import current, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def merger(plan) -> AgencySuccession:
    return AgencySuccession.objects.create(
        predecessor=Agency.objects.get(code="SLDTBXH"),
        successor=Agency.objects.get(code="SNV"),
        kind=SuccessionKind.MERGED,
        effective_on=datetime.date(2025, 3, 1),
    )


def test_the_preview_lists_what_moves_and_writes_nothing_then_its_button_applies_it(
    client, plan, merger, administrator, labour_reviewer
):
    labour = merger.predecessor
    cycle = Cycle.objects.create(
        plan=plan, year=2025, window_start=datetime.date(2024, 12, 15), window_end=datetime.date(2025, 12, 14)
    )
    Submission.objects.create(
        cycle=cycle, agency=labour, rule=ReportingRule.objects.get(code="ldtbxh-giao-duc-nghe-nghiep")
    )
    tasks = sorted(current("SLDTBXH"), key=lambda code: tuple(map(int, code.split("."))))
    client.force_login(administrator)
    url = reverse("admin:agencies_agencysuccession_changelist")
    before = snapshot()

    response = client.post(url, {"action": "preview_succession", "_selected_action": [merger.pk]})

    assert response.status_code == 200
    assert snapshot() == before
    html = response.content.decode()
    assert f"{len(tasks)}: {', '.join(tasks)}" in html
    assert "Nhiệm vụ nâng từ phối hợp thành chủ trì</th><td>1</td>" in html
    assert "Nơi nhận báo cáo được chuyển</th><td>1</td>" in html
    assert "sldtbxh.thamdinh" in html
    assert "Sở LĐTB&amp;XH: 2025, " in html and "(Đang soạn)" in html
    assert 'name="action" value="apply_succession"' in html

    response = client.post(url, {"action": "apply_succession", "_selected_action": [merger.pk]}, follow=True)

    assert response.status_code == 200
    assert current("SLDTBXH") == {}
    assert set(tasks) <= set(current("SNV"))
    assert Agency.objects.get(code="SLDTBXH").valid_to == datetime.date(2025, 2, 28)
    assert TaskAssignment.history.filter(history_user=administrator).exists()


def test_the_preview_shows_why_a_succession_cannot_be_applied(client, plan, administrator):
    late = AgencySuccession.objects.create(
        predecessor=Agency.objects.get(code="SNV"),
        successor=Agency.objects.get(code="STC"),
        kind=SuccessionKind.MERGED,
        effective_on=datetime.date(2000, 1, 1),
    )
    client.force_login(administrator)
    response = client.post(
        reverse("admin:agencies_agencysuccession_changelist"),
        {"action": "preview_succession", "_selected_action": [late.pk]},
    )
    assert response.status_code == 200
    assert 'class="errornote"' in response.content.decode()
    assert Agency.objects.get(code="SNV").valid_to is None
