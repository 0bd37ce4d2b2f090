"""Vietnamese text helpers shared by every app: NFC storage, and matching that ignores tone placement."""

from __future__ import annotations

import functools
import unicodedata

# Old and new tone placement ("hoà"/"hòa", "thuỷ"/"thủy") are different code points even in NFC. We keep what
# people typed and fold only when comparing or searching.
_OLD_TO_NEW_TONE_PLACEMENT = {
    "oà": "òa",
    "oá": "óa",
    "oả": "ỏa",
    "oã": "õa",
    "oạ": "ọa",
    "oè": "òe",
    "oé": "óe",
    "oẻ": "ỏe",
    "oẽ": "õe",
    "oẹ": "ọe",
    "uỳ": "ủy",
    "uý": "úy",
    "uỷ": "ủy",
    "uỹ": "ũy",
    "uỵ": "ụy",
}
_OLD_TO_NEW_TONE_PLACEMENT["uỳ"] = "ùy"
_NEW_TO_OLD_TONE_PLACEMENT = {new: old for old, new in _OLD_TO_NEW_TONE_PLACEMENT.items()}


def nfc(value: str) -> str:
    """Text pasted from Word or macOS is often NFD; everything is stored NFC."""
    return unicodedata.normalize("NFC", value)


def clean_text(value: str | None) -> str:
    """NFC, with Windows line ends and surrounding blanks removed."""
    if value is None:
        return ""
    return nfc(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def fold_for_matching(value: str) -> str:
    """A key under which "Thủy Nguyên", "Thuỷ Nguyên" and "THỦY NGUYÊN" are equal."""
    text = nfc(value).lower()
    for old, new in _OLD_TO_NEW_TONE_PLACEMENT.items():
        text = text.replace(old, new)
    return text


@functools.lru_cache(maxsize=16_384)
def collation_key(value: str) -> tuple[str, str]:
    """The order a reader expects of Vietnamese names, as PostgreSQL's en_US and vi_VN collations give it: by the
    letters without case or marks first ("Đặc khu" among the D's, "Ủy ban" among the U's, not after "Z" as code
    points would put them), then by the name itself to break ties.

    Agencies keep the first part as Agency.sort_name, so that the database sorts them this way too. Kept per
    process: the lists sorted in Python (today's units on the years page, the agencies still owing in the
    consolidated report) ask for the same names on every request, and a name's key never changes."""
    folded = unicodedata.normalize("NFD", value.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in folded if not unicodedata.combining(c)).casefold(), value


def tone_placement_variants(value: str) -> set[str]:
    """The query as typed, in the new placement ("thủy") and in the old one ("thuỷ"), for searches that must
    find both spellings in stored text (matched case-insensitively by the database)."""
    text = nfc(value).strip()
    new, old = text, text
    for before, after in _OLD_TO_NEW_TONE_PLACEMENT.items():
        new = new.replace(before, after).replace(before.upper(), after.upper())
    for before, after in _NEW_TO_OLD_TONE_PLACEMENT.items():
        old = old.replace(before, after).replace(before.upper(), after.upper())
    return {text, new, old} - {""}
