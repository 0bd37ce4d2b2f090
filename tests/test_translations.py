"""The English catalog is complete, compiled, and actually used once a person switches to English."""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.urls import reverse

LOCALE = Path(__file__).resolve().parent.parent / "locale"
PO_FILE = LOCALE / "en" / "LC_MESSAGES" / "django.po"
MO_FILE = LOCALE / "en" / "LC_MESSAGES" / "django.mo"


@dataclass
class Entry:
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)


def read_po(path: Path) -> list[Entry]:
    """A small .po reader (no polib in the project): active entries only, obsolete `#~` ones skipped."""
    entries: list[Entry] = []
    entry, target = Entry(), None

    def finish():
        nonlocal entry, target
        if target is not None:
            entries.append(entry)
        entry, target = Entry(), None

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            finish()
        elif line.startswith("#,"):
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if target[0] == "msgstr":
                entry.msgstr[target[1]] += value
            else:
                setattr(entry, target[0], getattr(entry, target[0]) + value)
        else:
            keyword, _, rest = line.partition(" ")
            value = ast.literal_eval(rest)
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if match:
                target = ("msgstr", int(match.group(1)))
                entry.msgstr[target[1]] = value
            elif keyword == "msgstr":
                target = ("msgstr", 0)
                entry.msgstr[0] = value
            elif keyword in ("msgid", "msgid_plural", "msgctxt"):
                target = (keyword, None)
                setattr(entry, keyword, value)
            else:
                raise AssertionError(f"unexpected line in {path.name}: {line!r}")
    finish()
    return entries


@pytest.fixture(scope="module")
def catalog() -> list[Entry]:
    entries = read_po(PO_FILE)
    assert entries and entries[0].msgid == "", "the catalog has no header"
    return entries[1:]


def test_the_catalog_has_no_untranslated_entry(catalog):
    untranslated = [e.msgid for e in catalog if not e.msgstr or not all(e.msgstr.values())]
    assert not untranslated, f"{len(untranslated)} untranslated: {untranslated[:10]}"
    assert len(catalog) > 500


def test_the_catalog_has_no_fuzzy_entry(catalog):
    header = read_po(PO_FILE)[0]
    assert "fuzzy" not in header.flags
    fuzzy = [e.msgid for e in catalog if "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy entries are ignored by compilemessages: {fuzzy[:10]}"


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%|\{\w*\}|</?\w+[^>]*>")


def test_translations_keep_every_placeholder_and_tag(catalog):
    for e in catalog:
        for n, text in e.msgstr.items():
            source = e.msgid if n == 0 or e.msgid_plural is None else e.msgid_plural
            assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), (e.msgid, text)
        if e.msgid_plural is not None:
            assert sorted(e.msgstr) == [0, 1], e.msgid


def test_the_committed_mo_file_is_compiled_from_the_po_file(catalog):
    with MO_FILE.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for e in catalog:
        key = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        if e.msgid_plural is None:
            assert compiled.gettext(key) == e.msgstr[0], f"{e.msgid!r}: run compilemessages"
        else:
            assert compiled.ngettext(key, e.msgid_plural, 1) == e.msgstr[0], f"{e.msgid!r}: run compilemessages"
            assert compiled.ngettext(key, e.msgid_plural, 5) == e.msgstr[1], f"{e.msgid!r}: run compilemessages"


def switch_to_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302


def test_the_login_page_is_in_english_after_switching(client, db):
    switch_to_english(client)
    html = client.get(reverse("login")).content.decode()
    assert 'lang="en"' in html
    for english in ("Sign in", "Username", "Password", "Plan 193/KH-UBND", "Language"):
        assert english in html, english
    for vietnamese in ("Đăng nhập", "Tên đăng nhập", "Mật khẩu", "Ngôn ngữ"):
        assert vietnamese not in html, vietnamese


def test_the_plan_page_is_in_english_after_switching(client, plan, agency_staff):
    client.force_login(agency_staff)
    switch_to_english(client)
    response = client.get(reverse("plans:plan_detail", args=[plan.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="en"' in html
    for english in (
        "Sign out",
        "Annual reporting calendar",
        "Legal basis for issuance",
        "Lead agency",
        "Co-operating agencies",
        "II. Main tasks and measures",
        "III. Implementation",
        "Agency staff",
    ):
        assert english in html, english
    for vietnamese in (
        "Đăng xuất",
        "Lịch báo cáo hằng năm",
        "Căn cứ ban hành",
        "Cơ quan phối hợp",
        "Nhiệm vụ, giải pháp chủ yếu",
        "Cán bộ đơn vị",
    ):
        assert vietnamese not in html, vietnamese
    # The plan's own text (data, not interface) stays as issued.
    assert "Sở GD&amp;ĐT" in html


def test_switching_back_restores_vietnamese(client, plan, agency_staff):
    client.force_login(agency_staff)
    switch_to_english(client)
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    html = client.get(reverse("plans:plan_detail", args=[plan.pk])).content.decode()
    assert 'lang="vi"' in html
    assert "Đăng xuất" in html and "Sign out" not in html
