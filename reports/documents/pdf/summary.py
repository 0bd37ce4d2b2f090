"""The consolidated report's summary figures: who was expected, who sent, the basis of the figures. Computed by
the definitions the dashboard counts with (reports.cycles.selectors, reports.dashboard.basis), so the PDF, the
Word copy and the dashboard print the same numbers under the same sentences (issue 9)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from reports.cycles.selectors import ReportState, expected_reports
from reports.dashboard.basis import FiguresBasis, figures_basis
from reports.documents.pdf.dates import short_date
from reports.models import Cycle


@dataclass(frozen=True)
class ConsolidatedSummary:
    expected: set[tuple[int, int]]  # (agency, rule) pairs expected to report
    arrived: set[tuple[int, int]]  # those received (on time or late: submitted or accepted)
    basis: FiguresBasis
    issued_on: datetime.date

    @property
    def reporting_line(self) -> str:
        return _(
            "Tính đến ngày %(date)s, có %(reported)d/%(expected)d đơn vị gửi báo cáo; "
            "%(accepted)d báo cáo đã được thẩm định, chấp nhận và tổng hợp trong báo cáo này."
        ) % {
            "date": short_date(self.issued_on),
            "reported": len(self.arrived),
            "expected": len(self.expected),
            "accepted": self.basis.accepted,
        }


def consolidated_summary(*, cycle: Cycle, issued_on: datetime.date) -> ConsolidatedSummary:
    """Two queries: the expected reports with their state, and the basis counts."""
    states = dict(
        ((a, r), state)
        for a, r, state in expected_reports(cycle=cycle, today=issued_on)
        .order_by()
        .values_list("agency_id", "rule_id", "state")
    )
    arrived = {pair for pair, state in states.items() if state in (ReportState.ON_TIME, ReportState.LATE)}
    return ConsolidatedSummary(
        expected=set(states),
        arrived=arrived,
        basis=figures_basis(cycle=cycle, as_of=issued_on),
        issued_on=issued_on,
    )
