"""The years table grouped by today's units (issue 13, item 4): each expected report counted under the agency that
carries on its reporting today, following the succession links (merger, split, dissolution, not a function
transfer: after a transfer the giver goes on and keeps its own reports).

The choice, for a split: a report is counted ONCE, under the SET of today's units that succeeded the agency that
owed it. Quận Lê Chân's 2021–2024 reports form one row "Phường Lê Chân; Phường An Biên", marked as inherited
("Kế thừa từ: quận Lê Chân"), never once per commune: adding it to each of the communes' own rows would count one
report two, eight or fifteen times and make the rows add up to more than the year totals. After a merger the set
has one unit, so the merged departments' reports join the receiving department's own row (Sở KH&ĐT's under Sở
Tài chính). An agency with no successor (still in existence, or ended without one) is its own set. A commune's own
reports (2025 on) stay on its own row; its page (`reports:agency_detail`) lists its predecessors' reports. So in
both groupings every expected report is counted exactly once, and the rows add up to the same totals.

Two queries whatever the size: the per-agency completeness of the time (`selectors.agency_completeness`) and one
recursive query over AgencySuccession (`agency_heirs`); the fold into rows is a loop over agencies, not reports.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import connection
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, AgencySuccession, SuccessionKind
from hptracker.search import name_matcher
from hptracker.text import collation_key
from reports.dashboard.selectors import COUNTS, FigureRow, KindGroup


class Grouping:
    """The `?group=` choice of the years page and its export."""

    AT_THE_TIME = "time"
    TODAY = "today"

    choices = [
        (AT_THE_TIME, _("Đơn vị tại thời điểm báo cáo")),
        (TODAY, _("Đơn vị hiện nay (theo kế thừa)")),
    ]


@dataclass(frozen=True)
class Heir:
    """A unit of today that carries on an agency's reporting (the agency itself when it has no successor)."""

    pk: int
    name: str
    kind_group: str
    valid_to: datetime.date | None = None

    @property
    def label(self) -> str:
        """The name, and for a unit that ended without a successor its last day (its reports have no heir)."""
        if self.valid_to is None:
            return self.name
        return gettext("%(name)s (hoạt động đến %(day)s)") % {"name": self.name, "day": f"{self.valid_to:%d/%m/%Y}"}


# Every agency reachable from a predecessor through successions in force on the day (%(day)s), then only the ends
# of the chains: the units that have no successor themselves. UNION (not UNION ALL) stops on a loop in bad data.
# The second part: agencies that ended without a successor are their own heir, with the day they ended.
_HEIRS_SQL = """
WITH RECURSIVE chain (origin_id, agency_id) AS (
    SELECT s.predecessor_id, s.successor_id FROM {succession} s
     WHERE s.kind <> %(transferred)s AND s.effective_on <= %(day)s
    UNION
    SELECT c.origin_id, s.successor_id FROM chain c JOIN {succession} s ON s.predecessor_id = c.agency_id
     WHERE s.kind <> %(transferred)s AND s.effective_on <= %(day)s
)
SELECT c.origin_id, a.id, a.name, a.kind, a.valid_to
  FROM chain c JOIN {agency} a ON a.id = c.agency_id
 WHERE NOT EXISTS (
    SELECT 1 FROM {succession} n
     WHERE n.predecessor_id = c.agency_id AND n.kind <> %(transferred)s AND n.effective_on <= %(day)s)
UNION ALL
SELECT a.id, a.id, a.name, a.kind, a.valid_to FROM {agency} a
 WHERE a.valid_to < %(day)s AND NOT EXISTS (
    SELECT 1 FROM {succession} n
     WHERE n.predecessor_id = a.id AND n.kind <> %(transferred)s AND n.effective_on <= %(day)s)
 ORDER BY 1, 3, 2
"""


def agency_heirs(*, day: datetime.date) -> dict[int, list[Heir]]:
    """{agency id: today's units that succeeded it} for every agency that has a successor on `day`, or that ended
    before it without one (one query). An agency absent from the result exists today and is its own heir."""
    sql = _HEIRS_SQL.format(
        succession=connection.ops.quote_name(AgencySuccession._meta.db_table),
        agency=connection.ops.quote_name(Agency._meta.db_table),
    )
    heirs: dict[int, list[Heir]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, {"transferred": SuccessionKind.TRANSFERRED, "day": day})
        for origin_id, pk, name, kind, valid_to in cursor.fetchall():
            heirs.setdefault(origin_id, []).append(
                Heir(pk=pk, name=name, kind_group=KindGroup.of(kind), valid_to=valid_to)
            )
    return heirs


class HeirGroup:
    """One row of the table by today's units: the set of units, the agencies whose reports it counts, the figures.
    A plain class with slots: one is built per agency of the plan (3,000 nationally) on every request."""

    __slots__ = ("heirs", "origins", "counts")

    def __init__(self, heirs: tuple[Heir, ...]) -> None:
        self.heirs = heirs
        self.origins: dict[int, str] = {}  # agency id -> name, of every agency counted here
        self.counts: dict[str, int] = dict.fromkeys(COUNTS, 0)

    @property
    def predecessors(self) -> list[str]:
        """Names of the agencies counted here that are not today's units themselves: their reports are inherited."""
        if len(self.origins) == 1 and len(self.heirs) == 1 and self.heirs[0].pk in self.origins:
            return []  # an agency that is its own unit today, alone: most rows
        own = {h.pk for h in self.heirs}
        return sorted((name for pk, name in self.origins.items() if pk not in own), key=collation_key)

    def matches(self, *, kind: str | None, name_found: Callable[[str], bool] | None) -> bool:
        """Of the family `kind` today, and with a unit's or a counted agency's name found (`name_found`)."""
        if kind and kind not in {h.kind_group for h in self.heirs}:
            return False
        if name_found:
            names = [h.name for h in self.heirs] + list(self.origins.values())
            return any(name_found(n) for n in names)
        return True

    def as_row(self, kind_labels: dict[str, str]) -> FigureRow:
        """A row like those of `agency_completeness` (a FigureRow: the same figure columns), for the table and its
        export; `kind_labels`: the families' names in the reader's language."""
        return _figure_row(self.counts, self.heirs, self.predecessors, kind_labels)


def _figure_row(
    counts: dict, heirs: tuple[Heir, ...], predecessors: list[str], kind_labels: dict[str, str]
) -> FigureRow:
    """The row of a set of today's units, whether built from a group or (most rows) straight from an agency's."""
    units = heirs[0].label if len(heirs) == 1 else "; ".join(h.label for h in heirs)
    return FigureRow(
        counts,
        heirs=heirs,
        units=units,
        sort_name=collation_key(units),
        kind_group=(
            kind_labels[heirs[0].kind_group]
            if len(heirs) == 1
            else "; ".join(dict.fromkeys(kind_labels[h.kind_group] for h in heirs))
        ),
        predecessors="; ".join(predecessors),
        inherited=bool(predecessors),
    )


@functools.lru_cache(maxsize=16_384)
def _own_unit_keys(agency_id: int, name: str, family: str, family_label: str) -> dict[str, object]:
    """The keys `_figure_row` gives the row of an agency that is its own unit today, alone (never changed: the
    caller copies them into a row of its own)."""
    own = Heir(pk=agency_id, name=name, kind_group=family)
    return {
        "heirs": (own,),
        "units": own.label,
        "sort_name": collation_key(own.label),
        "kind_group": family_label,
        "predecessors": "",
        "inherited": False,
    }


def completeness_by_heirs(
    *, rows: Iterable[dict], day: datetime.date, kind: str | None = None, name: str | None = None
) -> list[FigureRow]:
    """Fold per-agency completeness rows (`agency_completeness`: dicts with agency_id, agency__name, kind_group and
    the counts) into rows by today's units, ordered by their names. `kind` keeps the rows whose units are of that
    family today; `name` those in which a unit or an agency counted contains it (`name_matcher`: any case, either
    tone placement, and without marks when it is typed without)."""
    heirs_of = agency_heirs(day=day)
    rows = list(rows)
    # Most agencies (2,990 of 3,000 nationally) exist today and inherit nobody's reports: their row is their own,
    # with no group to build. Groups are built for the others: successors and the agencies they took over from.
    receiving = {h.pk for heirs in heirs_of.values() for h in heirs}
    kind_labels = {key: str(label) for key, label in KindGroup.labels.items()}
    name_found = name_matcher(name) if name and name.strip() else None
    groups: dict[tuple[int, ...], HeirGroup] = {}
    kept: list[FigureRow] = []
    for row in rows:
        agency_id = row["agency_id"]
        heirs = heirs_of.get(agency_id)
        if not heirs and agency_id not in receiving:
            family, own_name = row["kind_group"], row["agency__name"]
            if (not kind or family == kind) and (not name_found or name_found(own_name)):
                # The agency's row with its unit's keys over it, in one copy: 2,990 of them nationally whenever
                # the figures change, the keys built once per process.
                kept.append(FigureRow(row, **_own_unit_keys(agency_id, own_name, family, kind_labels[family])))
            continue
        key = tuple(sorted(h.pk for h in heirs)) if heirs else (agency_id,)
        group = groups.get(key)
        if group is None:
            if not heirs:
                heirs = [Heir(pk=agency_id, name=row["agency__name"], kind_group=row["kind_group"])]
            group = groups[key] = HeirGroup(heirs=tuple(heirs))
        group.origins[agency_id] = row["agency__name"]
        counts = group.counts
        for count in COUNTS:
            counts[count] += row[count]
    kept += [g.as_row(kind_labels) for g in groups.values() if g.matches(kind=kind, name_found=name_found)]
    return sorted(kept, key=lambda r: r["sort_name"])
