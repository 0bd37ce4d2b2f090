"""What the figures of the dashboard and of the consolidated report are computed from, said in one sentence that
both print (issue 9): the accepted reports of the cycle, as of a day; with, on a second, labelled line, the
reports received but not yet accepted (they count as received in the completeness table, not in the figures)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.translation import ngettext

from hptracker.formatting import format_count
from reports.cycles.target_figures import FIGURE_STATUSES
from reports.models import Cycle, Submission, SubmissionStatus

__all__ = ["FIGURE_STATUSES", "FiguresBasis", "figures_basis"]


@dataclass(frozen=True)
class FiguresBasis:
    accepted: int
    waiting: int
    as_of: datetime.date

    def sentence(self) -> str:
        return ngettext(
            "Số liệu từ %(n)s báo cáo đã được chấp nhận, tính đến ngày %(date)s.",
            "Số liệu từ %(n)s báo cáo đã được chấp nhận, tính đến ngày %(date)s.",
            self.accepted,
        ) % {"n": format_count(self.accepted), "date": f"{self.as_of:%d/%m/%Y}"}

    def waiting_line(self) -> str:
        """The second line: received, not yet accepted (empty when there is none)."""
        if not self.waiting:
            return ""
        return ngettext(
            "Đã nhận, chưa chấp nhận (chưa tính vào số liệu): %(n)s báo cáo.",
            "Đã nhận, chưa chấp nhận (chưa tính vào số liệu): %(n)s báo cáo.",
            self.waiting,
        ) % {"n": format_count(self.waiting)}


def figures_basis(
    *, cycle: Cycle, as_of: datetime.date, submissions: QuerySet[Submission] | None = None
) -> FiguresBasis:
    """How many reports of `cycle` the figures come from (accepted) and how many wait for review (submitted),
    in one query; `submissions` narrows them to what the reader may see (permissions.dashboard_scope)."""
    rows = (Submission.objects.all() if submissions is None else submissions).filter(cycle_id=cycle.pk)
    counts = rows.aggregate(
        accepted=Count("pk", filter=Q(status__in=FIGURE_STATUSES)),
        waiting=Count("pk", filter=Q(status=SubmissionStatus.SUBMITTED)),
    )
    return FiguresBasis(accepted=counts["accepted"], waiting=counts["waiting"], as_of=as_of)
