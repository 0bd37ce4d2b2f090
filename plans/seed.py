"""Parse the scanned text of a signed plan (Kế hoạch 193/KH-UBND, 19/8/2021) into structured data.

Pure Python on purpose: the JSON data file is generated from this parser and the tests compare the two without
a database or Django settings, so nothing here may import Django.

The seed (``plans/data/seed/ke-hoach-193-KH-UBND-2021.txt``) is the plain text of the *signed* document with
a few scanning artefacts. ``clean_scanned_text`` removes exactly those artefacts and nothing else: the signed
wording is the legal text, so oddities that are really in the document ("Ủy ban nhân thành phố", "đào tạo..",
a bullet ending in ",") must survive untouched.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

__all__ = [
    "DutyItem",
    "ParsedPlan",
    "PlanParseError",
    "Signer",
    "TaskGroup",
    "clean_scanned_text",
    "parse_plan_text",
]


class PlanParseError(ValueError):
    """The text does not have the shape of a plan; raised instead of returning a silently truncated result."""


@dataclass(frozen=True)
class Signer:
    authority: str  # "TM. ỦY BAN NHÂN DÂN": on behalf of the collective body
    prefix: str  # "KT. CHỦ TỊCH": signed by a deputy for the chair
    title: str  # "PHÓ CHỦ TỊCH"
    name: str


@dataclass
class TaskGroup:
    """A numbered group of section II; each dash bullet in it is one reportable task."""

    number: int
    title: str
    tasks: list[str] = field(default_factory=list)


@dataclass
class DutyItem:
    """A numbered item of section III: an agency (or class of agencies) and what it must do."""

    number: int
    heading: str
    requested: bool  # "Đề nghị ...": the UBND cannot order party/front bodies, it can only ask them
    duties: list[str] = field(default_factory=list)


@dataclass
class ParsedPlan:
    number: str  # "193/KH-UBND", spaces of the scanned "Số: 193 /KH-UBND" removed
    place: str
    issued_on: date | None
    document_type_heading: str  # as printed, e.g. "KẾ HOẠCH"
    title: str
    introduction: str
    purposes: list[str]  # I.1 Mục đích
    requirements: list[str]  # I.2 Yêu cầu
    groups: list[TaskGroup]  # II
    duties: list[DutyItem]  # III
    closing: str
    recipients: list[str]  # Nơi nhận, without "- " and the trailing ";" / "."
    signer: Signer | None

    @property
    def task_count(self) -> int:
        return sum(len(group.tasks) for group in self.groups)


# ----------------------------------------------------------------------------------------------------
# Cleaning
# ----------------------------------------------------------------------------------------------------

# Lines that are pure scanning artefacts: the placeholder the OCR left where a signature image sat in the
# margin, and a single stray lowercase letter (a speck read as "u"). A lone letter can never be content in a
# plan: items are numbered with digits and bullets with dashes.
_SIGNATURE_PLACEHOLDER = re.compile(r"^\(\s*chữ\s+ký\s*\)$", re.IGNORECASE)
_LONE_LETTER = re.compile(r"^[a-zđ]$")  # lowercase only: "I" or "V" alone could be a Roman numeral
_CHECK_MARKS = re.compile(r"\s*[\u2713\u2714]")  # "✓" / "✔" ticks a reviewer put on the scan
# Zero-width characters and the BOM are invisible but break equality and search.
_INVISIBLE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]")
# Any whitespace except a newline (NBSP from Word, tabs, runs of spaces) becomes one space.
_INLINE_SPACE = re.compile(r"[^\S\n]+")
# OCR misreads of tone marks, as (pattern, replacement). Anchored so that only these words are touched:
# "bỏ nhiệm" is not Vietnamese, "bổ nhiệm" (appoint) is; "tao" at the start of a line is the second half of
# "Đào tạo" broken by the page, the pronoun "tao" never begins a line of an administrative text.
_WORD_FIXES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bbỏ nhiệm\b"), "bổ nhiệm"),
    (re.compile(r"^tao\b", re.MULTILINE), "tạo"),
)
_STARTS_LOWERCASE = re.compile(r"^[^\W\d_]", re.UNICODE)


def _starts_lowercase(line: str) -> bool:
    # A new paragraph, bullet ("- "), heading ("1.", "II.") or signature line in a Vietnamese administrative
    # text starts with a capital, a digit or punctuation; a lowercase letter means the page broke inside a
    # sentence.
    return bool(_STARTS_LOWERCASE.match(line)) and line[0].islower()


def clean_scanned_text(text: str) -> str:
    """Return the seed text NFC-normalised and without its scanning noise.

    Paragraphs are separated by one blank line; lines that were adjacent in the scan (the Nơi nhận list, the
    signature block) stay adjacent. A paragraph that starts with a lowercase letter is the rest of the
    previous paragraph cut by a page break and is re-joined to it with one space.
    """
    # NFC first so that every later pattern (written in NFC) also matches text pasted as NFD.
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text)
    text = _CHECK_MARKS.sub("", text)

    lines: list[str] = []
    for raw in text.split("\n"):
        line = _INLINE_SPACE.sub(" ", raw).strip()
        if _SIGNATURE_PLACEHOLDER.match(line) or _LONE_LETTER.match(line):
            continue  # drop the line entirely; the blank lines around it merge below
        lines.append(line)
    text = "\n".join(lines)
    for pattern, replacement in _WORD_FIXES:
        text = pattern.sub(replacement, text)

    # Group into paragraphs (blocks of adjacent non-empty lines), then glue page-broken continuations.
    paragraphs: list[str] = []
    for block in re.split(r"\n{2,}", text.strip()):
        block = block.strip("\n")
        if not block:
            continue
        if paragraphs and _starts_lowercase(block):
            paragraphs[-1] = f"{paragraphs[-1]} {block}"
        else:
            paragraphs.append(block)
    return "\n\n".join(paragraphs) + "\n"


# ----------------------------------------------------------------------------------------------------
# Parsing
# ----------------------------------------------------------------------------------------------------

_ROMAN_HEADING = re.compile(r"^(?P<roman>[IVX]+)\.\s+(?P<title>.+)$")
_NUMBERED_HEADING = re.compile(r"^(?P<number>\d+)\.\s+(?P<title>.+)$")
# The seed uses "-"; Word exports often turn it into "–" or "•".
_BULLET = re.compile(r"^[-–•]\s+(?P<text>.+)$")
_NUMBER_LINE = re.compile(r"^Số\s*:\s*(?P<number>.+)$")
_PLACE_DATE = re.compile(
    r"^(?P<place>[^,]+),\s*ngày\s+(?P<day>\d{1,2})\s+tháng\s+(?P<month>\d{1,2})\s+năm\s+(?P<year>\d{4})$"
)
_RECIPIENTS_HEADING = "Nơi nhận:"
# Item 14 carries its duty on the heading line ("14. Các sở, ..., đơn vị liên quan căn cứ chức năng, ...").
# The heading is the subject noun phrase; the duty starts at the first of these verbs/clauses.
_INLINE_DUTY_STARTS = ("căn cứ", "có trách nhiệm", "chủ trì", "phối hợp", "thực hiện")


def _paragraphs(cleaned: str) -> list[str]:
    return [p for p in cleaned.split("\n\n") if p.strip()]


def _bullet_text(paragraph: str) -> str | None:
    match = _BULLET.match(paragraph)
    return match.group("text") if match else None


def _split_inline_duty(heading_line: str) -> tuple[str, str | None]:
    """Split "Các sở, ... liên quan căn cứ chức năng, ..." into (heading, duty text); (line, None) otherwise.

    Only a heading line that reads as a full sentence (ends with "." or is long) is split, so that an ordinary
    heading that happens to contain "phối hợp" is never cut.
    """
    if not (heading_line.endswith(".") or len(heading_line) > 160):
        return heading_line, None
    positions = [
        match.start()
        for marker in _INLINE_DUTY_STARTS
        if (match := re.search(rf"\s{re.escape(marker)}\b", heading_line))
    ]
    if not positions:
        return heading_line, None
    cut = min(positions)
    return heading_line[:cut].rstrip(" ,"), heading_line[cut:].strip()


def _parse_header(paragraphs: list[str]) -> tuple[str, str, date | None, str, str, int]:
    """Number, place, date, the document-type heading and the title; returns the index after the title."""
    number = place = heading = ""
    issued_on: date | None = None
    for index, paragraph in enumerate(paragraphs):
        if (match := _NUMBER_LINE.match(paragraph)) and not number:
            number = re.sub(r"\s+", "", match.group("number"))
        elif (match := _PLACE_DATE.match(paragraph)) and not place:
            place = match.group("place").strip()
            issued_on = date(int(match.group("year")), int(match.group("month")), int(match.group("day")))
        elif paragraph.isupper() and not _ROMAN_HEADING.match(paragraph):
            # "KẾ HOẠCH": the document type in capitals; the paragraph after it is the subject line (trích
            # yếu).
            heading = paragraph
            if index + 1 >= len(paragraphs):
                raise PlanParseError("no title after the document type heading")
            return number, place, issued_on, heading, paragraphs[index + 1], index + 2
    raise PlanParseError("no document type heading (e.g. 'KẾ HOẠCH') found")


def parse_plan_text(text: str) -> ParsedPlan:
    """Parse a plan's text (raw or already cleaned) into its parts.

    Expected layout: header; title; introduction; "I." with "1. Mục đích" / "2. Yêu cầu" bullets; "II." with
    numbered task groups of dash bullets; "III." with numbered duty items (bullets, or one paragraph, or the
    duty on the heading line itself); a closing paragraph; "Nơi nhận:" list; the signature block.
    """
    paragraphs = _paragraphs(clean_scanned_text(text))
    number, place, issued_on, heading, title, position = _parse_header(paragraphs)

    introduction_parts: list[str] = []
    purposes: list[str] = []
    requirements: list[str] = []
    groups: list[TaskGroup] = []
    items: list[DutyItem] = []
    # Plain paragraphs of section III that follow an item which already has its duty inline: candidates for
    # the closing paragraph (only the last one is the closing).
    trailing: list[str] = []
    recipients: list[str] = []
    signer_lines: list[str] = []

    section = ""  # "", "I", "II", "III", "recipients", "signature"
    objective_list: list[str] | None = None

    for paragraph in paragraphs[position:]:
        if section in ("recipients", "signature"):
            for line in paragraph.split("\n"):
                bullet = _bullet_text(line)
                if section == "recipients" and bullet is not None:
                    recipients.append(bullet.rstrip(";.").strip())
                else:
                    section = "signature"
                    signer_lines.append(line.strip("*").strip())  # the seed marks the bold block with "**"
            continue

        if paragraph.startswith(_RECIPIENTS_HEADING):
            section = "recipients"
            rest = paragraph[len(_RECIPIENTS_HEADING) :].strip()
            for line in rest.split("\n"):
                if (bullet := _bullet_text(line.strip())) is not None:
                    recipients.append(bullet.rstrip(";.").strip())
            continue

        if match := _ROMAN_HEADING.match(paragraph):
            section = match.group("roman")
            objective_list = None
            continue

        if section == "":
            introduction_parts.append(paragraph)
            continue

        numbered = _NUMBERED_HEADING.match(paragraph)
        bullet = _bullet_text(paragraph)

        if section == "I":
            if numbered:
                label = numbered.group("title").strip().rstrip(":").lower()
                objective_list = purposes if label.startswith("mục đích") else requirements
            elif bullet is not None and objective_list is not None:
                objective_list.append(bullet)
            else:
                raise PlanParseError(f"unexpected paragraph in section I: {paragraph[:60]!r}")
        elif section == "II":
            if numbered:
                groups.append(TaskGroup(int(numbered.group("number")), numbered.group("title").strip()))
            elif bullet is not None and groups:
                groups[-1].tasks.append(bullet)
            else:
                raise PlanParseError(f"unexpected paragraph in section II: {paragraph[:60]!r}")
        elif section == "III":
            if numbered:
                if items and trailing:
                    # Several unbulleted paragraphs under one item: they are all its duties, not a closing.
                    items[-1].duties.extend(trailing)
                trailing = []
                item_heading, inline = _split_inline_duty(numbered.group("title").strip())
                requested = item_heading.startswith("Đề nghị")
                item = DutyItem(int(numbered.group("number")), item_heading, requested)
                if inline:
                    item.duties.append(inline)
                items.append(item)
            elif not items:
                raise PlanParseError(f"paragraph before the first item of section III: {paragraph[:60]!r}")
            elif bullet is not None:
                items[-1].duties.append(bullet)
            elif not items[-1].duties:
                items[-1].duties.append(paragraph)  # an item whose duty is one unbulleted paragraph
            else:
                trailing.append(paragraph)
        else:
            raise PlanParseError(f"text in unknown section {section!r}: {paragraph[:60]!r}")

    if len(trailing) > 1:
        raise PlanParseError("more than one unnumbered paragraph after the last item of section III")
    closing = trailing[0] if trailing else ""
    if not groups or not items:
        raise PlanParseError("sections II and III must both be present")

    return ParsedPlan(
        number=number,
        place=place,
        issued_on=issued_on,
        document_type_heading=heading,
        title=title,
        introduction="\n\n".join(introduction_parts),
        purposes=purposes,
        requirements=requirements,
        groups=groups,
        duties=items,
        closing=closing,
        recipients=recipients,
        signer=_parse_signer(signer_lines),
    )


def _parse_signer(lines: list[str]) -> Signer | None:
    """Authority ("TM. …"), prefix ("KT. …"), title and name, as in Nghị định 30/2020/NĐ-CP."""
    lines = [line for line in lines if line]
    if len(lines) < 4:
        return None
    authority, prefix, title = lines[0], lines[1], lines[2]
    return Signer(authority=authority, prefix=prefix, title=title, name=lines[-1])
