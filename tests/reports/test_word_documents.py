"""The editable Word copies: the consolidated report (made by the Celery render beside the PDF) and one agency's
report (made in the request), read back with python-docx; and documents stay Vietnamese for English readers."""

from __future__ import annotations

import datetime
import hashlib
import io
import unicodedata
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from django.urls import reverse
from django.utils import translation
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from pypdf import PdfReader

from plans.models import Task
from reports.documents import files
from reports.documents import services as documents
from reports.documents.numbering import issuer_snapshot
from reports.documents.pdf.consolidated import build_consolidated_context
from reports.documents.word import DOCX_CONTENT_TYPE, builders
from reports.documents.word.builders import consolidated_docx
from reports.models import GeneratedReport, GeneratedReportStatus
from tests.reports.submission_helpers import open_cycle as open_submission_cycle
from tests.reports.submission_helpers import started

from . import pdf_fixtures
from .pdf_fixtures import SIGNER, squeeze

accepted, cycle, profile = pdf_fixtures.accepted, pdf_fixtures.cycle, pdf_fixtures.profile  # shared fixtures

ISSUED_ON = datetime.date(2025, 1, 5)
SECTIONS = (
    "I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO, TRIỂN KHAI THỰC HIỆN",
    "II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ, GIẢI PHÁP",
    "III. ĐÁNH GIÁ CHUNG",
    "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM TỚI",
    "V. KIẾN NGHỊ, ĐỀ XUẤT",
)
APPENDIX_HEADINGS = [
    "STT",
    "Nội dung nhiệm vụ",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Thời gian hoàn thành",
    "Kết quả thực hiện",
    "Tiến độ",
    "Ghi chú",
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def nfc(text: str) -> str:
    # Unit names are joined by no-break spaces in the header (they never break across lines).
    return unicodedata.normalize("NFC", text).replace("\xa0", " ")


def body_texts(doc) -> list[str]:
    return [nfc(p.text) for p in doc.paragraphs]


@pytest.fixture
def context(cycle, accepted, profile):
    return build_consolidated_context(
        cycle=cycle,
        snapshot=issuer_snapshot(profile),
        issued_on=ISSUED_ON,
        number_text="05/BC-SGDĐT",
        charts=[],
        draft=True,
    )


@pytest.fixture
def word(context):
    return Document(io.BytesIO(consolidated_docx(context)))


def test_the_header_has_both_columns_as_a_borderless_table(word):
    header = word.tables[0]
    left, right = (nfc(cell.text) for cell in header.rows[0].cells)
    for line in ("UBND THÀNH PHỐ HẢI PHÒNG", "SỞ GIÁO DỤC VÀ ĐÀO TẠO", "Số: 05/BC-SGDĐT"):
        assert line in left, line
    for line in (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Hải Phòng, ngày 05 tháng 01 năm 2025",
    ):
        assert line in right, line
    borders = header._tbl.tblPr.find(qn("w:tblBorders"))
    assert {edge.get(qn("w:val")) for edge in borders} == {"nil"}
    cells = header.rows[0].cells
    issuer = next(p for p in cells[0].paragraphs if p.text == "SỞ GIÁO DỤC VÀ ĐÀO TẠO")
    parent = next(p for p in cells[0].paragraphs if nfc(p.text) == "UBND THÀNH PHỐ HẢI PHÒNG")
    assert issuer.runs[0].bold and not parent.runs[0].bold and issuer.runs[0].font.size.pt == 13
    place = next(p for p in cells[1].paragraphs if p.text.startswith("Hải Phòng"))
    assert place.runs[0].italic


def test_title_subject_addressee_sections_and_the_draft_mark(word, context):
    texts = body_texts(word)
    assert texts[0] == "DỰ THẢO"
    title = texts.index("BÁO CÁO")
    assert texts[title + 1] == "Kết quả thực hiện Kế hoạch số 193/KH-UBND năm 2024" == context["subject"]
    assert word.paragraphs[title].runs[0].bold and word.paragraphs[title + 1].runs[0].bold
    assert "Kính gửi: Ủy ban nhân dân thành phố." in texts
    positions = [texts.index(section) for section in SECTIONS]
    assert positions == sorted(positions), "sections I–V in order"
    assert all(word.paragraphs[i].style.name == "Heading 1" for i in positions)
    summary = word.paragraphs[positions[1] + 1]
    assert summary.text == context["summary_line"] and summary.runs[0].bold
    assert context["reporting_line"] in texts
    assert any(t.startswith("Trên đây là báo cáo kết quả thực hiện Kế hoạch của Sở Giáo dục") for t in texts)


def test_the_signature_row_and_the_recipients(word):
    closing = nfc(word.tables[1].rows[0].cells[0].text), nfc(word.tables[1].rows[0].cells[1].text)
    assert closing[0].startswith("Nơi nhận:") and "- Như trên;" in closing[0] and "- Lưu: VT, KHTC." in closing[0]
    assert "KT. GIÁM ĐỐC" in closing[1] and "PHÓ GIÁM ĐỐC" in closing[1] and SIGNER in closing[1]


def test_page_size_margins_and_the_body_style(word):
    page = word.sections[0]
    assert page.orientation == WD_ORIENT.PORTRAIT
    assert (round(page.page_width.mm), round(page.page_height.mm)) == (210, 297)  # stored in twips
    assert [round(m.mm) for m in (page.top_margin, page.bottom_margin, page.left_margin, page.right_margin)] == [
        20,
        20,
        30,
        15,
    ]
    normal = word.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size.pt == 14
    fmt = normal.paragraph_format
    assert round(fmt.first_line_indent.cm, 2) == 1.27 and fmt.space_after.pt == 6
    assert fmt.alignment == 3  # WD_ALIGN_PARAGRAPH.JUSTIFY
    assert page.different_first_page_header_footer, "no page number on page 1"
    assert 'w:instr="PAGE"' in page.header._element.xml


def test_the_appendix_is_a_landscape_section_with_every_task_and_a_repeated_header(word, context, plan):
    appendix = word.sections[-1]
    assert len(word.sections) == 2 and appendix.orientation == WD_ORIENT.LANDSCAPE
    assert (round(appendix.page_width.mm), round(appendix.page_height.mm)) == (297, 210)
    table = word.tables[-1]
    header = table.rows[0]
    assert [nfc(c.text) for c in header.cells] == APPENDIX_HEADINGS
    flag = header._tr.trPr.find(qn("w:tblHeader"))
    assert flag is not None and flag.get(qn("w:val")) == "true"
    cells = squeeze(nfc(" ".join(c.text for row in table.rows[1:] for c in row.cells)))
    tasks = Task.objects.filter(group__plan=plan)
    assert tasks.count() == 42
    for task in tasks:
        assert squeeze(nfc(task.text)) in cells, task.code
    group_rows = [
        row for row in table.rows[1:] if row.cells[1] is row.cells[-1] or row.cells[1]._tc is row.cells[-1]._tc
    ]
    assert [row.cells[0].text for row in group_rows] == [g.roman for g in context["groups"]]
    assert all(run.bold for row in group_rows for p in row.cells[1].paragraphs for run in p.runs)
    labels = {nfc(p.text) for p in word.paragraphs[-3:]}
    assert "Phụ lục I" in labels and context["appendix_reference"] in labels


# --- the Celery render ---------------------------------------------------------------------------------------


def render_report(cycle, user) -> GeneratedReport:
    report = documents.generated_report_request(cycle=cycle, by=user)
    files.generated_report_render(report_id=report.pk)
    report.refresh_from_db()
    return report


def test_a_render_writes_the_pdf_and_the_word_copy_and_only_then_is_ready(cycle, accepted, profile, education_reviewer):
    with translation.override("en"):  # a worker (or a request) running in English still issues Vietnamese
        report = render_report(cycle, education_reviewer)
    assert report.status == GeneratedReportStatus.READY, report.error
    pdf, docx = Path(report.file.path), Path(report.word_file.path)
    assert pdf.suffix == ".pdf" and docx.suffix == ".docx" and pdf.stem == docx.stem
    # sha256 remains the PDF's, the document as issued.
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() == report.sha256
    assert len(PdfReader(io.BytesIO(pdf.read_bytes())).pages) == report.page_count
    word = Document(str(docx))
    assert "BÁO CÁO" in body_texts(word) and len(word.tables[-1].rows) > 42
    assert any(t.startswith("Tổng số 42 nhiệm vụ; đã hoàn thành") for t in body_texts(word))
    pdf_text = nfc(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages[:3]))
    assert "Tổng số 42 nhiệm vụ" in pdf_text and "Số: …/BC-SGDĐT" in pdf_text and "No.:" not in pdf_text
    assert not list(pdf.parent.glob("*.part-*"))


def test_a_failing_word_copy_leaves_no_ready_record_and_no_file(cycle, accepted, profile, education_reviewer, media):
    report = documents.generated_report_request(cycle=cycle, by=education_reviewer)
    with mock.patch.object(builders, "consolidated_docx", side_effect=RuntimeError("lỗi Word")):
        files.generated_report_render(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == GeneratedReportStatus.FAILED and "lỗi Word" in report.error
    assert not report.file.name and not report.word_file.name
    assert not files_under(media)


def test_a_failure_while_publishing_removes_what_was_already_moved(cycle, accepted, profile, education_reviewer, media):
    report = documents.generated_report_request(cycle=cycle, by=education_reviewer)
    real_replace = files.os.replace
    calls = []

    def replace_then_fail(source, target):
        calls.append(target)
        if len(calls) == 2:
            raise OSError("đĩa đầy")
        return real_replace(source, target)

    with mock.patch.object(files.os, "replace", side_effect=replace_then_fail):
        files.generated_report_render(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == GeneratedReportStatus.FAILED and not report.word_file.name
    assert not files_under(media)


def test_expiry_deletes_both_files(cycle, accepted, profile, education_reviewer, django_capture_on_commit_callbacks):
    now = datetime.datetime(2025, 1, 5, 9, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))
    with time_machine.travel(now - datetime.timedelta(days=8), tick=False):
        report = render_report(cycle, education_reviewer)
    paths = [Path(report.file.path), Path(report.word_file.path)]
    assert all(f.exists() for f in paths)
    with time_machine.travel(now, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert files.generated_reports_sweep()[0]["expired"] == 1
    assert not any(f.exists() for f in paths)


# --- views -------------------------------------------------------------------------------------------------


def test_a_leader_downloads_the_word_copy_and_agency_staff_cannot(
    client, cycle, accepted, profile, education_reviewer, leader, agency_staff
):
    report = render_report(cycle, education_reviewer)
    url = reverse("reports:generated_report_word", args=[report.pk])
    client.force_login(leader)
    for page in (reverse("reports:consolidated_reports"), reverse("reports:generated_report_detail", args=[report.pk])):
        html = client.get(page).content.decode()
        assert url in html and "Tải bản Word (sửa được)" in html, page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == DOCX_CONTENT_TYPE
    assert response["Content-Disposition"].endswith('bao-cao-tong-hop-2024-du-thao.docx"')
    content = b"".join(response.streaming_content)
    assert content == Path(report.word_file.path).read_bytes()
    client.force_login(agency_staff)
    assert client.get(url).status_code == 404


def test_no_word_link_or_download_for_a_record_without_a_word_copy(
    client, cycle, accepted, profile, education_reviewer, leader
):
    report = render_report(cycle, education_reviewer)
    GeneratedReport.objects.filter(pk=report.pk).update(word_file="")  # made before Word copies existed
    client.force_login(leader)
    url = reverse("reports:generated_report_word", args=[report.pk])
    assert url not in client.get(reverse("reports:consolidated_reports")).content.decode()
    assert client.get(url).status_code == 404


def test_the_submission_word_copy_is_for_its_agency_only(client, plan, agency, agency_staff, other_agency_staff):
    submission = started(open_submission_cycle(plan), agency, agency_staff)
    url = reverse("reports:submission_word", args=[submission.pk])
    client.force_login(agency_staff)
    page = client.get(reverse("reports:submission_detail", args=[submission.pk])).content.decode()
    assert url in page and reverse("reports:submission_pdf", args=[submission.pk]) in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == DOCX_CONTENT_TYPE
    word = Document(io.BytesIO(response.content))
    assert "SỞ NỘI VỤ" in nfc(word.tables[0].rows[0].cells[0].text)
    texts = body_texts(word)
    assert "BÁO CÁO" in texts and all(section in texts for section in SECTIONS)
    first_task = (
        submission.task_reports.select_related("task").order_by("task__group__number", "task__number").first().task
    )
    assert first_task.code in " ".join(texts)
    client.force_login(other_agency_staff)
    assert client.get(url).status_code == 404


# --- Vietnamese whatever the reader's language ---------------------------------------------------------------


@pytest.fixture
def english_reader_afterwards():
    """The test client leaves the last request's language active in this thread (LocaleMiddleware activates
    it and nothing resets it): later tests calling services directly would otherwise get English messages."""
    yield
    translation.deactivate()


def switch_to_english(client) -> None:
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302


def test_documents_stay_vietnamese_for_a_reader_of_the_english_interface(
    client, plan, agency, agency_staff, english_reader_afterwards
):
    submission = started(open_submission_cycle(plan), agency, agency_staff)
    client.force_login(agency_staff)
    switch_to_english(client)
    page = client.get(reverse("reports:submission_detail", args=[submission.pk])).content.decode()
    assert "Download as PDF" in page, "the interface itself is in English"
    pdf = client.get(reverse("reports:submission_pdf", args=[submission.pk])).content
    text = nfc(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    word = Document(io.BytesIO(client.get(reverse("reports:submission_word", args=[submission.pk])).content))
    word_text = nfc(" ".join(body_texts(word) + [c.text for t in word.tables for r in t.rows for c in r.cells]))
    for document in (text, word_text):
        for vietnamese in (
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "BÁO CÁO",
            "Kính gửi:",
            "Số:",
            "Như trên",
            "Nơi nhận:",
        ):
            assert vietnamese in document, vietnamese
        for english in ("SOCIALIST REPUBLIC", "No.:", "REPORT", "Dear", "Recipients", "As above", "ot yet updated"):
            assert english not in document, english
    assert "ĐÁNH GIÁ CHUNG" in text.upper() and "III. ĐÁNH GIÁ CHUNG" in word_text
