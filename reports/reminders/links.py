"""Where a reminder points: the report that is due (or the page where it is started, or the consolidated
reports' page), and whether the consolidated report of a cycle has been issued (then it is reminded no more)."""

from __future__ import annotations

from django.urls import reverse

from reports.models import (
    GeneratedReport,
    GeneratedReportKind,
    GeneratedReportStatus,
    ReminderDelivery,
)


def issued_consolidated_cycles(cycle_ids: set[int]) -> set[int]:
    """Cycles whose official (numbered, not draft) consolidated report exists: no more reminders for it."""
    if not cycle_ids:
        return set()
    return set(
        GeneratedReport.objects.filter(
            kind=GeneratedReportKind.CONSOLIDATED,
            cycle_id__in=cycle_ids,
            status=GeneratedReportStatus.READY,
            is_draft=False,
        ).values_list("cycle_id", flat=True)
    )


def report_links(
    rows: list[ReminderDelivery], *, existing: dict[tuple[int, int, int], int]
) -> dict[tuple[int, int, int], str]:
    """(cycle, rule, agency) → the page a reminder opens: the report when it exists (`existing`: the id of each
    submission, loaded by the caller with the rest of its batch), else the agency's page where it is started; the
    consolidated reports' page for the consolidated report."""
    links = {}
    for row in rows:
        key = (row.cycle_id, row.rule_id, row.agency_id)
        if row.rule.consolidates:
            links[key] = reverse("reports:consolidated_reports")
        elif key in existing:
            links[key] = reverse("reports:submission_detail", args=[existing[key]])
        else:
            links[key] = reverse("reports:agency_detail", args=[row.agency_id])
    return links
