"""Pieces every document shares: the two-column header, the signature block and small text helpers."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from plans.text import clean_text

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


def subject_from_rule(subject: str, year: int, plan) -> str:
    """The rule's subject ("Báo cáo kết quả thực hiện Kế hoạch số 193/KH-UBND năm {year}") without the
    leading document type, which the title "BÁO CÁO" already says."""
    if not subject:
        subject = _("Kết quả thực hiện %(type)s số %(number)s năm {year}") % {
            "type": plan.document_type,
            "number": plan.number,
        }
    text = clean_text(subject.replace("{year}", str(year)))
    for prefix in ("Báo cáo ", "báo cáo "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    return text[:1].upper() + text[1:]


def recipient_lines(items: list[str]) -> list[str]:
    """ "- Như trên;" … "- Lưu: VT, KHTC.": every line ends with a semicolon, the last with a full stop."""
    cleaned = [clean_text(item).lstrip("-– ").rstrip(";.") for item in items if clean_text(item)]
    return [f"- {item}{'.' if i == len(cleaned) - 1 else ';'}" for i, item in enumerate(cleaned)]
