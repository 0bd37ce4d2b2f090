"""Small reorganisation files for the loader tests, and a snapshot of everything applying may write."""

from __future__ import annotations

import copy
from pathlib import Path

from agencies.models import Agency, AgencySuccession
from plans.models import DutyItem, RuleRecipient, TaskAssignment
from plans.reorganisation import reorganisation_apply
from plans.reorganisation_file import parse_reorganisation_data, read_reorganisation_file

REPO = Path(__file__).resolve().parent.parent.parent
HAI_PHONG_FILE = REPO / "plans" / "data" / "reorganisation-hai-phong-2025.json"
BASIS = "Văn bản thử nghiệm số 01/TN"


def hai_phong_data() -> dict:
    return copy.deepcopy(read_reorganisation_file(HAI_PHONG_FILE))


def reorganisation(*events: dict, agencies: list[dict] | None = None) -> dict:
    """A file of the given events (each gets an id, a date and a basis unless it names its own)."""
    numbered = []
    for index, event in enumerate(events):
        numbered.append({"id": f"su-kien-{index}", "on": "2025-03-01", "basis": BASIS, **event})
    return {
        "format": 1,
        "title": "Tổ chức lại thử nghiệm",
        "plan": "193/KH-UBND",
        "agencies": agencies or [],
        "events": numbered,
    }


def apply(data: dict, **options):
    return reorganisation_apply(reorganisation=parse_reorganisation_data(data), **options)


def current(code: str) -> dict[str, str]:
    """The current tasks of an agency: task code → role."""
    rows = TaskAssignment.objects.current().filter(agency__code=code).select_related("task__group")
    return {row.task.code: row.role for row in rows}


def snapshot() -> tuple:
    """Every row a reorganisation may write, to prove that a run wrote nothing (or that an inverse restored it)."""
    return (
        sorted(
            TaskAssignment.objects.values_list(
                "task_id", "agency__code", "role", "status", "note", "started_on", "ended_on"
            )
        ),
        sorted(RuleRecipient.objects.values_list("rule__code", "agency__code", "order")),
        sorted(DutyItem.agencies.through.objects.values_list("dutyitem__number", "agency__code")),
        sorted(Agency.objects.values_list("code", "name", "short_name", "valid_from", "valid_to")),
        sorted(AgencySuccession.objects.values_list("predecessor__code", "successor__code", "kind", "effective_on")),
    )
