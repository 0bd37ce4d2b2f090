"""Fixtures and helpers of the PDF tests: a cycle with accepted submissions, an issuer profile with a signer,
and reading PDFs back with pdftotext and pypdf."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from agencies.models import Agency
from reports.models import IssuerProfile

from .pdf_data import accept_submissions, open_cycle

SIGNER = "Nguyễn Văn Hùng"


@pytest.fixture
def cycle(plan):
    return open_cycle(plan, 2024)


@pytest.fixture
def accepted(cycle):
    # The first seven expected agencies: the seventh, the Sở GD&ĐT, leads most tasks; the others co-operate.
    return accept_submissions(cycle, limit=7)


@pytest.fixture
def profile(plan) -> IssuerProfile:
    return IssuerProfile.objects.create(
        agency=Agency.objects.get(code="SGDDT"),
        name="Sở GD&ĐT",
        document_kind="BC",
        place="Hải Phòng",
        addressee="Ủy ban nhân dân thành phố",
        signer_prefix="KT. GIÁM ĐỐC",
        signer_title="PHÓ GIÁM ĐỐC",
        signer_name=SIGNER,
        recipients=["Như trên", "Giám đốc Sở (để b/c)", "Lưu: VT, KHTC"],
        is_default=True,
    )


def pdf_text(content: bytes, tmp_path: Path, *, first: int | None = None, last: int | None = None) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    args = ["pdftotext", "-enc", "UTF-8"]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    return subprocess.run([*args, str(path), "-"], check=True, capture_output=True).stdout.decode("utf-8")


def page_texts(content: bytes, tmp_path: Path) -> list[str]:
    count = len(PdfReader(io.BytesIO(content)).pages)
    return [pdf_text(content, tmp_path, first=i, last=i) for i in range(1, count + 1)]


def squeeze(text: str) -> str:
    """Text compared without its line breaks and spaces: table cells wrap wherever the column ends."""
    return "".join(text.split())


def runs_with_fonts(content: bytes, page: int = 0) -> list[tuple[str, str]]:
    """(text, font name) of each text run of a page, from pypdf."""
    runs: list[tuple[str, str]] = []

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip() and font_dict:
            runs.append((text, str(font_dict.get("/BaseFont", ""))))

    PdfReader(io.BytesIO(content)).pages[page].extract_text(visitor_text=visit)
    return runs
