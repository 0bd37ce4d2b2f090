"""Short forms of what agencies wrote, for the body of the consolidated report.

The body is read by a leader in minutes, whatever the number of agencies: a task shows at most one bounded excerpt
(the lead agency's), and the lists of sections III–V show each distinct text once, with every agency that wrote it,
the most shared first, up to a fixed number of entries. The full texts are in each agency's own report (linked
from the download page), never copied twice into the consolidated one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

EXCERPT_CHARS = 600
# Entries of one body list (strengths, shortcomings, difficulties, directions, proposals, documents issued).
LIST_LIMIT = 12
# A sentence ends at . ! ? or … followed by a space (or the end); "1.2" or "193/KH-UBND." mid-sentence do not.
_SENTENCE_END = re.compile(r"[.!?…](?=\s|$)")


def text_excerpt(*, text: str, limit: int = EXCERPT_CHARS) -> tuple[str, bool]:
    """(excerpt, cut): `text` up to `limit` characters, cut after the last full sentence that fits; when no
    sentence ends in the first half of the limit, cut at a word boundary and end with "…"."""
    text = " ".join(unicodedata.normalize("NFC", text).split())
    if len(text) <= limit:
        return text, False
    head = text[:limit]
    ends = [m.end() for m in _SENTENCE_END.finditer(head)]
    if ends and ends[-1] >= limit // 2:
        return head[: ends[-1]].rstrip(), True
    space = head.rfind(" ")
    return head[: space if space > limit // 2 else limit].rstrip(" ,;:") + "…", True


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split()).rstrip(".;")


@dataclass
class GroupedText:
    """One distinct text and the agencies that wrote it (in the order they first appear)."""

    agencies: list[str]
    text: str
    cut: bool = False
    tasks: list[str] = field(default_factory=list)

    @property
    def agencies_text(self) -> str:
        return agencies_phrase(names=self.agencies)

    @property
    def tasks_text(self) -> str:
        """ "(nhiệm vụ 1.1, 2.3)" or "" """
        if not self.tasks:
            return ""
        return f"({_('nhiệm vụ')} {', '.join(self.tasks)})"

    @property
    def line(self) -> str:
        """The body's line of this entry, shared by the PDF template and the Word builder."""
        return " ".join(part for part in (self.text, self.tasks_text) if part)


@dataclass
class GroupedList:
    items: list[GroupedText]
    more: int  # distinct texts left out of the body (they are in the agencies' own reports)
    noun: str = ""

    @property
    def more_line(self) -> str:
        if not self.more:
            return ""
        return _("Còn %(n)d %(noun)s khác: xem báo cáo của từng đơn vị.") % {
            "n": self.more,
            "noun": self.noun or _("ý kiến"),
        }


def texts_grouped(*, items: Iterable[tuple[str, str, str]], limit: int = LIST_LIMIT, noun: str = "") -> GroupedList:
    """(agency, text, task code or "") triples → each distinct text once with every agency that wrote it and
    the tasks it was written for; an agency's same text written for several tasks counts once. Excerpts are
    bounded; the most shared texts come first (then the order of first appearance); at most `limit` entries."""
    by_key: dict[str, GroupedText] = {}
    for agency, text, task in items:
        if not text.strip():
            continue
        key = _key(text)
        entry = by_key.get(key)
        if entry is None:
            excerpt, cut = text_excerpt(text=text)
            entry = by_key[key] = GroupedText(agencies=[], text=excerpt, cut=cut)
        if agency not in entry.agencies:
            entry.agencies.append(agency)
        if task and task not in entry.tasks:
            entry.tasks.append(task)
    ordered = sorted(by_key.values(), key=lambda e: -len(e.agencies))  # stable: first appearance breaks ties
    return GroupedList(items=ordered[:limit], more=max(0, len(ordered) - limit), noun=noun)


def agencies_phrase(*, names: list[str], limit: int = 8) -> str:
    """ "Sở A, Sở B và 12 đơn vị khác": a long list of agencies stays one line of the body."""
    if len(names) <= limit:
        return ", ".join(names)
    return _("%(names)s và %(n)d đơn vị khác") % {"names": ", ".join(names[:limit]), "n": len(names) - limit}
