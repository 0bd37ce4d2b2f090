"""The dashboard tables' columns: how a date, a count, a rate, a mean, a yes/no, a reporter's long answer and
the link to a report are written on the page and in the export (hptracker.formatting's figures)."""

from __future__ import annotations

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from hptracker.formatting import format_count, format_decimal, format_rate, round_half_up
from hptracker.text import fold_for_matching


def report_url(submission_id: int | None) -> str:
    return reverse("reports:submission_detail", args=[submission_id]) if submission_id else ""


class ReportLinkColumn(tables.Column):
    """ "Xem báo cáo" pointing at the submission whose id is the column's value; empty when there is none."""

    def __init__(self, **kwargs):
        kwargs.setdefault("verbose_name", _("Báo cáo"))
        kwargs.setdefault("orderable", False)
        kwargs.setdefault("exclude_from_export", True)
        kwargs.setdefault("empty_values", (None, ""))
        super().__init__(**kwargs)

    def render(self, value):
        return format_html('<a href="{}">{}</a>', report_url(value), _("Xem báo cáo"))


class DayColumn(tables.Column):
    """A date as 30/11/2025 on the page; in the export the date itself, which the CSV writes as 30/11/2025 and the
    XLSX as a date Excel can sort and compute with (reports.dashboard.exports). django-tables2's DateColumn renders
    a template for each cell: 50 of them were a fifth of the reports page's time."""

    def render(self, value):
        return value.strftime("%d/%m/%Y")

    def value(self, value):
        return value or ""


class NumberColumn(tables.Column):
    """A mean or a reported value: hptracker.formatting on the page (half up, decimal comma), the rounded number in
    the export."""

    def render(self, value):
        return format_decimal(value)

    def value(self, value):
        return round_half_up(value) if value is not None else ""


class CountColumn(tables.Column):
    """A count, right-aligned, its thousands grouped on the page (hptracker.formatting: 1.385.900); the number in the
    export."""

    def __init__(self, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "num"}})
        super().__init__(**kwargs)

    def render(self, value):
        return format_count(value)

    def value(self, value):
        return value


class RateColumn(tables.Column):
    """A percentage, rounded half up and written by hptracker.formatting at one decimal (the page's words and the
    export's number are the same figure)."""

    def render(self, value):
        return format_rate(value)

    def value(self, value):
        return round_half_up(value) if value is not None else ""


# A reporter's answer longer than CLIP_OVER characters shows its first CLIP_LEAD (cut between words) and the rest
# behind "Xem toàn văn"; shortening 420 characters to 300 would hide nothing worth hiding.
CLIP_LEAD, CLIP_OVER = 300, 450


def answer_lead(text: str) -> str:
    """The first CLIP_LEAD characters of `text`, cut at the last blank before them (a whole word last), without the
    punctuation a cut leaves hanging."""
    lead = text[:CLIP_LEAD]
    blank = max(lead.rfind(" "), lead.rfind("\n"))
    if blank > CLIP_LEAD // 2:
        lead = lead[:blank]
    return lead.rstrip(" \n,.;:-–")


class AnswerColumn(tables.Column):
    """What a reporter wrote (difficulties, proposals): free text, often 2,000 characters. On the page a long answer
    shows its beginning and opens in place ("Xem toàn văn", a <details>: no script, announced by screen readers as
    a collapsed button); fifty answers in full made one page of the difficulties list 29,000 px tall. The page
    keeps the writer's line breaks (td.text). When the list is searched (`table.searched`) an answer whose match is
    in the hidden part is shown open, so the reader sees why the row is there. The export keeps every answer
    whole."""

    def __init__(self, **kwargs):
        kwargs.setdefault("attrs", {"td": {"class": "text"}})
        super().__init__(**kwargs)

    def render(self, value, table):
        if len(value) <= CLIP_OVER:
            return value
        lead = answer_lead(value)
        searched = getattr(table, "searched", "")
        match_hidden = (
            bool(searched) and searched not in fold_for_matching(lead) and searched in fold_for_matching(value)
        )
        return format_html(
            '<div class="answer"><p class="lead">{}…</p><details{}><summary>'
            '<span class="when-closed">{}</span><span class="when-open">{}</span></summary>'
            '<div class="full">{}</div></details></div>',
            lead,
            " open" if match_hidden else "",
            _("Xem toàn văn"),
            _("Thu gọn"),
            value,
        )

    def value(self, value):
        return value


class YesNoColumn(tables.BooleanColumn):
    """A yes/no column whose export is the word the page shows (Đạt / Chưa đạt), never True/False."""

    def value(self, record, value, bound_column):
        return str(self.yesno[0] if self._get_bool_value(record, value, bound_column) else self.yesno[1])
