"""Pieces every document shares: the two-column header, the signature block and small text helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from hptracker.text import clean_text
from plans.models import ReportingRule

NBSP = "\u00a0"
# An administrative unit's name ("quận Lê Chân", "thành phố Hải Phòng", "đặc khu Bạch Long Vĩ") is one unit on a
# line: its words are joined by no-break spaces, so the issuer block breaks before it, never inside it.
_UNIT_NAME = re.compile(
    r"(?i)\b(thành phố|thị xã|thị trấn|đặc khu|quận|huyện|phường|xã|tỉnh)((?: [A-ZÀ-Ỹ0-9][\w-]*)+)",
)


def keep_names_together(text: str) -> str:
    """ "Ủy ban nhân dân quận Lê Chân" → "Ủy ban nhân dân quận\u00a0Lê\u00a0Chân": the proper name and the word
    before it never split across two lines (the issue's "QUẬN LÊ / CHÂN")."""
    return _UNIT_NAME.sub(lambda m: m.group(1).replace(" ", NBSP) + m.group(2).replace(" ", NBSP), text)


_ROMAN = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]


@dataclass(frozen=True)
class Header:
    """Left: parent body (capitals, regular), issuing body (capitals, bold), number. Right: the national name
    and motto, then place and date. Templates uppercase the bodies; the data keeps its normal case."""

    parent_body: str
    issuer_name: str
    number_line: str
    place_date: str


@dataclass(frozen=True)
class Signature:
    authority: str  # "TM. ỦY BAN NHÂN DÂN", for a collective body
    prefix: str  # "KT. GIÁM ĐỐC", "Q. GIÁM ĐỐC", "TL. …"
    title: str  # "PHÓ GIÁM ĐỐC"
    name: str


def roman(number: int) -> str:
    result = ""
    for value, letters in _ROMAN:
        while number >= value:
            result += letters
            number -= value
    return result


def paragraphs(text: str) -> list[str]:
    """One paragraph per non-empty line of what an agency typed (NFC, Windows line ends removed)."""
    return [line.strip() for line in clean_text(text).split("\n") if line.strip()]


def subject_from_rule(rule: ReportingRule | None, year: int, plan) -> str:
    """The rule's subject of the year (`ReportingRule.subject_in`: "Báo cáo kết quả thực hiện Kế hoạch số
    193/KH-UBND năm 2025") without the leading document type, which the title "BÁO CÁO" already says."""
    if rule is None or not rule.subject:
        subject = (
            _("Kết quả thực hiện %(type)s số %(number)s năm {year}")
            % {"type": plan.document_type, "number": plan.number}
        ).replace("{year}", str(year))
    else:
        subject = rule.subject_in(year)
    text = clean_text(subject)
    for prefix in ("Báo cáo ", "báo cáo "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    return text[:1].upper() + text[1:]


def recipient_lines(items: list[str]) -> list[str]:
    """ "- Như trên;" … "- Lưu: VT, KHTC.": every line ends with a semicolon, the last with a full stop."""
    cleaned = [clean_text(item).lstrip("-– ").rstrip(";.") for item in items if clean_text(item)]
    return [f"- {item}{'.' if i == len(cleaned) - 1 else ';'}" for i, item in enumerate(cleaned)]
