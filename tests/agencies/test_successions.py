"""Agency successions on plan 193's data: from 1/3/2025 the Sở LĐTB&XH merged into the Sở Nội vụ, which inherits
its tasks and its reporting duty; the old agency is no longer expected to report."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from agencies.models import Agency, AgencySuccession, Membership, SuccessionKind
from plans.models import AssignmentRole, DutyItem, TaskAssignment
from plans.successions import agency_succession_apply
from reports.cycles.selectors import expected_submissions
from reports.cycles.services import cycle_open

pytestmark = pytest.mark.django_db

MERGED_ON = datetime.date(2025, 3, 1)
LAST_DAY = datetime.date(2025, 2, 28)
LABOUR_LEADS = {"8.3", "8.4", "8.5", "8.6", "8.7"}


@pytest.fixture
def labour(plan) -> Agency:
    return Agency.objects.get(code="SLDTBXH")


@pytest.fixture
def merger(labour, agency) -> AgencySuccession:
    return AgencySuccession.objects.create(
        predecessor=labour, successor=agency, kind=SuccessionKind.MERGED, effective_on=MERGED_ON
    )


def codes(assignments) -> set[str]:
    return {a.task.code for a in assignments}


def snapshot() -> tuple:
    """Everything an application may write, to prove a second one writes nothing."""
    return (
        sorted(TaskAssignment.objects.values_list("pk", "task_id", "agency_id", "role", "started_on", "ended_on")),
        TaskAssignment.history.count(),
        Agency.history.count(),
        sorted(DutyItem.agencies.through.objects.values_list("dutyitem_id", "agency_id")),
        sorted(Agency.objects.values_list("pk", "valid_to")),
    )


def test_the_successor_leads_the_predecessors_tasks_from_the_merger_and_the_old_rows_are_kept(
    merger, labour, agency, administrator
):
    leads_before = TaskAssignment.objects.current().filter(agency=labour, role=AssignmentRole.LEAD)
    assert codes(leads_before) == LABOUR_LEADS
    old_pks = set(leads_before.values_list("pk", flat=True))

    agency_succession_apply(succession=merger, by=administrator)

    assert not TaskAssignment.objects.current().filter(agency=labour).exists()
    ended = TaskAssignment.objects.filter(pk__in=old_pks)
    assert codes(ended) == LABOUR_LEADS and {a.ended_on for a in ended} == {LAST_DAY}
    snv_leads = TaskAssignment.objects.current().filter(agency=agency, role=AssignmentRole.LEAD, task__group__number=8)
    assert codes(snv_leads) == LABOUR_LEADS
    assert {a.started_on for a in snv_leads} == {MERGED_ON}
    assert all("Sở Lao động - Thương binh và Xã hội" in a.note for a in snv_leads)
    # Each change is in the audit log under the administrator's name.
    assert TaskAssignment.history.filter(history_user=administrator, ended_on=LAST_DAY).count() >= len(LABOUR_LEADS)


def test_a_co_operating_part_of_the_successor_becomes_the_lead_and_an_equal_part_is_kept(
    merger, labour, agency, administrator
):
    # Task 8.4: SLĐTB&XH leads, SNV co-operates → SNV leads. Task 8.2: both co-operate → SNV's row stays.
    before_84 = TaskAssignment.objects.current().get(agency=agency, task__group__number=8, task__number=4)
    before_82 = TaskAssignment.objects.current().get(agency=agency, task__group__number=8, task__number=2)
    assert before_84.role == before_82.role == AssignmentRole.CO_OPERATING

    result = agency_succession_apply(succession=merger, by=administrator)

    before_84.refresh_from_db()
    assert before_84.ended_on == LAST_DAY
    now_84 = TaskAssignment.objects.current().get(agency=agency, task__group__number=8, task__number=4)
    assert (now_84.role, now_84.started_on) == (AssignmentRole.LEAD, MERGED_ON)
    assert TaskAssignment.objects.current().get(agency=agency, task__group__number=8, task__number=2) == before_82
    assert result.assignments_strengthened >= 1 and result.assignments_kept >= 1 and result.assignments_moved >= 4


def test_the_predecessor_ends_the_day_before_and_the_successor_joins_its_duty_item(
    merger, labour, agency, administrator
):
    item_2 = DutyItem.objects.get(plan__number="193/KH-UBND", number=2)
    assert agency not in item_2.agencies.all()

    agency_succession_apply(succession=merger, by=administrator)

    labour.refresh_from_db()
    assert labour.valid_to == LAST_DAY
    assert set(item_2.agencies.all()) == {labour, agency}


def test_an_earlier_end_of_the_predecessor_is_kept(merger, labour, administrator):
    labour.valid_to = datetime.date(2025, 1, 31)
    labour.save()
    agency_succession_apply(succession=merger, by=administrator)
    labour.refresh_from_db()
    assert labour.valid_to == datetime.date(2025, 1, 31)


def test_the_2025_cycle_expects_the_successor_once_per_rule_and_no_longer_the_merged_department(
    plan, merger, labour, agency, administrator
):
    cycle = cycle_open(plan=plan, year=2025)
    assert expected_submissions(cycle=cycle, agency=labour)

    agency_succession_apply(succession=merger, by=administrator)

    expected = expected_submissions(cycle=cycle)
    assert labour not in {e.agency for e in expected}
    snv_rules = [e.rule.code for e in expected if e.agency == agency]
    assert sorted(snv_rules) == ["don-vi-hang-nam", "ldtbxh-giao-duc-nghe-nghiep"]


def test_applying_twice_changes_nothing_more(merger, administrator):
    agency_succession_apply(succession=merger, by=administrator)
    before = snapshot()
    again = agency_succession_apply(succession=merger, by=administrator)
    assert not again.changed
    assert snapshot() == before


def test_people_are_listed_for_the_administrator_but_not_moved(merger, labour, labour_reviewer, administrator):
    result = agency_succession_apply(succession=merger, by=administrator)
    assert [m.user for m in result.people_to_move] == [labour_reviewer]
    assert Membership.objects.get(user=labour_reviewer).agency == labour


def test_a_successor_that_does_not_exist_on_the_day_is_refused_and_nothing_changes(merger, agency, administrator):
    agency.valid_from = datetime.date(2025, 7, 1)
    agency.save()
    before = snapshot()
    with pytest.raises(ValidationError):
        agency_succession_apply(succession=merger, by=administrator)
    assert snapshot() == before


def test_the_admin_action_applies_the_succession_with_a_summary(
    client, merger, labour, agency, labour_reviewer, administrator
):
    client.force_login(administrator)
    url = reverse("admin:agencies_agencysuccession_changelist")
    inherited = TaskAssignment.objects.current().filter(agency=labour).count()
    response = client.post(url, {"action": "apply_succession", "_selected_action": [merger.pk]}, follow=True)
    assert response.status_code == 200
    texts = [str(m) for m in response.context["messages"]]
    summary = next(t for t in texts if t.startswith("Sở LĐTB&XH → Sở NV: "))
    # Every current part of the old department is accounted for: moved, raised to lead, or already SNV's.
    moved, raised, kept = (int(n) for n in re.findall(r"(\d+) nhiệm vụ", summary))
    assert moved + raised + kept == inherited and raised == 1
    assert summary.endswith("1 mục tổ chức thực hiện được bổ sung, 1 nơi nhận báo cáo được chuyển.")
    assert any("sldtbxh.thamdinh" in t for t in texts), texts
    assert (
        codes(TaskAssignment.objects.current().filter(agency=agency, role=AssignmentRole.LEAD, task__group__number=8))
        == LABOUR_LEADS
    )

    response = client.post(url, {"action": "apply_succession", "_selected_action": [merger.pk]}, follow=True)
    assert "Sở LĐTB&XH → Sở NV: đã áp dụng từ trước, không có gì thay đổi." in [
        str(m) for m in response.context["messages"]
    ]


def test_after_a_merger_the_successor_starts_each_report_it_owes_from_its_page(client, plan):
    """Sở NV inherits the Sở LĐTB&XH's duty item: it owes two reports in 2025 and starts each from its page."""
    from agencies.models import Agency, AgencySuccession, Role, SuccessionKind
    from plans.successions import agency_succession_apply
    from reports.cycles.services import cycle_open
    from reports.models import Submission
    from tests.conftest import make_person

    labour, home = Agency.objects.get(code="SLDTBXH"), Agency.objects.get(code="SNV")
    succession = AgencySuccession.objects.create(
        predecessor=labour, successor=home, kind=SuccessionKind.MERGED, effective_on=datetime.date(2025, 3, 1)
    )
    admin = make_person("qt", Role.ADMIN, None)
    agency_succession_apply(succession=succession, by=admin)
    cycle = cycle_open(plan=plan, year=2025)
    staff = make_person("snv.cb", Role.STAFF, home)
    client.force_login(staff)
    page = client.get(reverse("reports:agency_detail", args=[home.pk])).content.decode()
    rule_ids = sorted({int(v) for v in re.findall(r'name="rule" value="(\d+)"', page)})
    assert len(rule_ids) == 2
    for rule_id in rule_ids:
        response = client.post(reverse("reports:submission_start", args=[cycle.pk]), {"rule": rule_id})
        assert response.status_code == 302
    assert sorted(Submission.objects.filter(agency=home, cycle=cycle).values_list("rule_id", flat=True)) == rule_ids
    # A rule the agency does not owe is refused with a message, nothing created.
    other = cycle.deadlines.exclude(rule_id__in=rule_ids).first().rule_id
    client.post(reverse("reports:submission_start", args=[cycle.pk]), {"rule": other}, follow=True)
    assert Submission.objects.filter(agency=home, cycle=cycle).count() == 2


def test_reports_addressed_to_the_predecessor_go_to_the_successor(plan):
    from agencies.models import Role
    from plans.models import RuleRecipient
    from tests.conftest import make_person

    labour, home = Agency.objects.get(code="SLDTBXH"), Agency.objects.get(code="SNV")
    succession = AgencySuccession.objects.create(
        predecessor=labour, successor=home, kind=SuccessionKind.MERGED, effective_on=datetime.date(2025, 3, 1)
    )
    districts_rule = RuleRecipient.objects.get(agency=labour).rule
    result = agency_succession_apply(succession=succession, by=make_person("qt2", Role.ADMIN, None))
    assert result.recipients_moved == 1
    assert [r.agency.code for r in districts_rule.rule_recipients.order_by("order")] == ["SGDDT", "SNV"]
    assert not RuleRecipient.objects.filter(agency=labour).exists()
