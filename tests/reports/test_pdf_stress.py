"""The consolidated report read back from the PDF (issue 10, point 4), on the stress set: 120 reporting units ×
42 tasks × results of 1,500–3,000 characters (tests/reports/pdf_stress.py), rendered once for the module.

pdfplumber gives every character with its box and every drawn line; the appendix's cells are the rectangles
between the table's ruling lines, so "no text outside its cell" is checked character by character.
"""

from __future__ import annotations

import datetime
import io
import re
import time

import pdfplumber
import pytest
from django.db import transaction
from pypdf import PdfReader

from agencies.models import Agency
from plans.models import Plan, Task
from reports.documents.numbering import issuer_snapshot
from reports.documents.pdf.consolidated import build_consolidated_context
from reports.documents.pdf.render import render_template_pdf
from reports.documents.word.builders import consolidated_docx
from reports.models import IssuerProfile

from .pdf_data import open_cycle
from .pdf_stress import UNITS, stress_accept

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

HEADER_CELLS = ("STT", "Nội dung nhiệm vụ", "Cơ quan chủ trì", "Kết quả thực hiện", "Tiến độ", "Ghi chú")
BODY_PAGE_BUDGET = 25


@pytest.fixture(scope="module")
def stress(django_db_setup, django_db_blocker):
    """The stress set built and rendered once, inside a transaction rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        plan = Plan.objects.get(number="193/KH-UBND")
        cycle = open_cycle(plan, 2031)
        submissions = stress_accept(cycle=cycle)
        profile = IssuerProfile.objects.create(
            agency=Agency.objects.get(code="SGDDT"),
            name="Sở GD&ĐT",
            signer_prefix="KT. GIÁM ĐỐC",
            signer_title="PHÓ GIÁM ĐỐC",
            signer_name="Nguyễn Văn Hùng",
            recipients=["Như trên", "Lưu: VT, KHTC"],
        )
        context = build_consolidated_context(
            cycle=cycle,
            snapshot=issuer_snapshot(profile),
            issued_on=datetime.date(2032, 1, 5),
            number_text="05/BC-SGDĐT",
        )
        started = time.perf_counter()
        rendered = render_template_pdf("pdf/consolidated_report.html", context)
        seconds = time.perf_counter() - started
        docx = consolidated_docx(context)
        codes = [t.code for t in Task.objects.filter(group__plan=plan).order_by("group__number", "number")]
        transaction.set_rollback(True)
    with pdfplumber.open(io.BytesIO(rendered.content)) as pdf:
        pages = [_page_facts(page) for page in pdf.pages]
    return {
        "pdf": rendered.content,
        "docx": docx,
        "pages": pages,
        "seconds": seconds,
        "codes": codes,
        "units": len(submissions),
    }


def _page_facts(page) -> dict:
    words = page.extract_words(keep_blank_chars=False, use_text_flow=True)
    return {
        "number": page.page_number,
        "landscape": page.width > page.height,
        "text": page.extract_text() or "",
        "chars": [(c["text"], c["x0"], c["x1"], c["top"], c["bottom"]) for c in page.chars if c["text"].strip()],
        "words": [(w["text"], w["x0"], w["top"]) for w in words],
        "vertical": sorted({round(e["x0"], 1) for e in page.edges if e["orientation"] == "v"}),
        "vertical_edges": [(e["x0"], e["top"], e["bottom"]) for e in page.edges if e["orientation"] == "v"],
        "horizontal": sorted({round(e["top"], 1) for e in page.edges if e["orientation"] == "h"}),
        "height": page.height,
    }


def _appendix(stress) -> list[dict]:
    return [p for p in stress["pages"] if p["landscape"]]


def test_the_stress_set_is_what_the_issue_names(stress):
    assert stress["units"] == UNITS
    assert len(stress["codes"]) == 42


def test_body_stays_within_its_page_budget_and_the_render_within_its_time(stress):
    body = [p for p in stress["pages"] if not p["landscape"]]
    assert 1 < len(body) <= BODY_PAGE_BUDGET, len(body)
    # The body never copies results verbatim: each task's excerpt is bounded (600 characters).
    assert stress["seconds"] < 20, stress["seconds"]


def test_the_verbatim_texts_of_co_operating_agencies_are_not_copied_into_the_document(stress):
    """Only the lead's bounded excerpt is quoted; the co-operating agencies' results (their own reports) never."""
    text = " ".join(" ".join(p["text"] for p in stress["pages"]).split())
    assert "UBND xã Thử Nghiệm 005, nhiệm vụ" not in text
    assert "Đơn vị phối hợp đã báo cáo:" in text


def test_every_appendix_page_after_the_first_repeats_the_column_header_row(stress):
    appendix = _appendix(stress)
    assert len(appendix) >= 2
    wanted = {word for cell in HEADER_CELLS for word in cell.split()}
    for page in appendix:
        # The header row is the band between the table's first two ruling lines.
        top, bottom = page["horizontal"][0], page["horizontal"][1]
        band = {w[0] for w in page["words"] if top <= w[2] <= bottom}
        assert wanted <= band, (page["number"], wanted - band)


def test_no_page_is_empty(stress):
    for page in stress["pages"]:
        # More than a page number: some line of real text.
        assert len("".join(page["text"].split())) > 40, page["number"]


def test_page_numbers_run_from_page_two(stress):
    pages = stress["pages"]
    assert not re.match(r"^\s*1\s*$", pages[0]["text"].split("\n")[0])
    for page in pages[1:]:
        top_words = sorted((w for w in page["words"] if w[2] < 56), key=lambda w: w[2])
        assert top_words and top_words[0][0] == str(page["number"]), (page["number"], top_words[:3])


def test_every_task_appears_once_in_the_appendix(stress):
    # The STT column holds the task code (1.1 … 8.9); read the first column's words on every appendix page.
    found: list[str] = []
    for page in _appendix(stress):
        first, second = page["vertical"][0], page["vertical"][1]
        found += [w[0] for w in page["words"] if first < w[1] < second and re.fullmatch(r"\d+\.\d+", w[0])]
    assert sorted(found) == sorted(stress["codes"])


def test_a_group_heading_row_never_ends_a_page(stress):
    for page in _appendix(stress):
        first, second = page["vertical"][0], page["vertical"][1]
        column = [w for w in page["words"] if first < w[1] < second]
        lowest = max(column, key=lambda w: w[2])
        assert not re.fullmatch(r"[IVX]+", lowest[0]), (page["number"], lowest)


def test_no_text_falls_outside_its_cell(stress):
    for page in _appendix(stress):
        lines = page["vertical"]
        left, right = lines[0], lines[-1]
        tops = page["horizontal"]
        table_top = tops[0]
        for text, x0, x1, top, bottom in page["chars"]:
            if top < table_top or top > tops[-1]:
                continue  # the page number, the appendix title above the table
            assert left <= x0 and x1 <= right + 0.5, (page["number"], text, x0, x1)
            # Inside its cell: no cell border drawn at the character's height crosses it.
            middle = (top + bottom) / 2
            crossing = [x for x, y0, y1 in page["vertical_edges"] if y0 <= middle <= y1 and x0 + 0.5 < x < x1 - 0.5]
            assert not crossing, (page["number"], text, x0, x1, top)


def test_only_the_bundled_serif_is_embedded_the_chart_included(stress):
    fonts = set()
    for page in PdfReader(io.BytesIO(stress["pdf"])).pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
        for xobject in (resources.get("/XObject") or {}).values():
            inner = xobject.get_object().get("/Resources") or {}
            for font in (inner.get("/Font") or {}).values():
                fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    assert fonts and all(name.replace("-", "").startswith("LiberationSerif") for name in fonts), fonts


def test_the_word_copy_carries_the_chart_as_a_picture(stress):
    import docx

    document = docx.Document(io.BytesIO(stress["docx"]))
    assert len(document.inline_shapes) == 1
