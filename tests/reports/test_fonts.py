"""The bundled serif covers Vietnamese, is embedded in the PDF, and is the only thing the renderer fetches."""

from __future__ import annotations

import subprocess
import unicodedata
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from reports.documents.pdf.engine import StaticFilesFetcher
from reports.documents.pdf.render import STATIC_BASE, render_pdf

FONTS = Path(__file__).resolve().parents[2] / "static" / "fonts"
FACES = ["Regular", "Bold", "Italic", "BoldItalic"]
VOWELS = "aăâeêioôơuưy"
TONES = ["", "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"]  # huyền, sắc, hỏi, ngã, nặng


def vietnamese_letters() -> set[str]:
    """Every vowel with every tone (NFC, precomposed), upper and lower case, the consonants and đ/Đ."""
    letters = set("bcdđghklmnpqrstvx")
    for vowel in VOWELS:
        for tone in TONES:
            letters.add(unicodedata.normalize("NFC", vowel + tone))
    letters |= {letter.upper() for letter in letters}
    return letters


def test_the_alphabet_under_test_is_complete():
    letters = vietnamese_letters()
    assert len(letters) == 2 * (12 * 6 + 17)
    assert all(len(letter) == 1 for letter in letters), "every letter must be one precomposed code point"
    assert {"ự", "Ỵ", "ẫ", "Ở", "đ", "Đ"} <= letters


@pytest.mark.parametrize("face", FACES)
def test_bundled_font_has_a_glyph_for_every_vietnamese_letter(face):
    cmap = TTFont(FONTS / f"LiberationSerif-{face}.ttf").getBestCmap()
    missing = sorted(letter for letter in vietnamese_letters() if ord(letter) not in cmap)
    assert missing == []


def test_font_licence_is_shipped_with_the_fonts():
    assert "SIL Open Font License" in (FONTS / "LICENSE-LiberationSerif.txt").read_text()


def _sample_pdf() -> bytes:
    html = (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="stylesheet" href="{STATIC_BASE}'
        'css/pdf.css"></head><body><p>Thủy Nguyên, Đồ Sơn, Bạch Long Vĩ: ỵ ữ ẫ Ở</p><p><b>Đậm</b> '
        "<i>nghiêng</i> <b><i>đậm nghiêng</i></b></p></body></html>"
    )
    return render_pdf(html).content


def test_pdffonts_shows_liberation_serif_embedded_in_all_four_faces(tmp_path):
    path = tmp_path / "fonts.pdf"
    path.write_bytes(_sample_pdf())
    listing = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:]]
    names = {row[0].split("+", 1)[-1] for row in rows}
    assert names == {
        "Liberation-Serif",
        "Liberation-Serif-Bold",
        "Liberation-Serif-Italic",
        "Liberation-Serif-Bold-Italic",
    }
    # Columns: name, type (2 words), encoding, emb, sub, uni, object, generation.
    assert all(row[-5] == "yes" for row in rows), listing


def test_the_renderer_loads_the_bundled_files_through_the_fetcher(monkeypatch):
    fetched: list[str] = []
    original = StaticFilesFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(StaticFilesFetcher, "fetch", spy)
    _sample_pdf()
    assert {f"{STATIC_BASE}fonts/LiberationSerif-{face}.ttf" for face in FACES} <= set(fetched)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.com/x.css",
        "https://example.com/x.css",
        f"{STATIC_BASE}../../etc/passwd",
        f"{STATIC_BASE}%2e%2e/%2e%2e/etc/passwd",
    ],
)
def test_the_fetcher_refuses_anything_but_bundled_static_files(url):
    with pytest.raises((ValueError, FileNotFoundError)):
        StaticFilesFetcher(STATIC_BASE).fetch(url)


def test_user_text_cannot_make_the_renderer_fetch_a_file(tmp_path):
    """A font that fails to load stops the render (fail_on_errors), so the same goes for a smuggled URL."""
    html = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><img src="file:///etc/hostname"></body></html>'
    )
    with pytest.raises(BaseException, match="Error fetching"):
        render_pdf(html)
