"""The consolidated report and a single submission as documents in the Nghị định 30/2020 format, read back
from the PDF with pdftotext and pypdf."""

from __future__ import annotations

import base64
import datetime
import html
import io
import re
import xml.etree.ElementTree as ET

import pdfplumber
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from hptracker.text import collation_key
from plans.models import AssignmentRole, Task
from reports.dashboard.progress import TaskStatus, progress_by_group, task_statuses
from reports.documents.numbering import issuer_snapshot
from reports.documents.pdf.consolidated import build_consolidated_context
from reports.documents.pdf.render import render_template_pdf
from reports.models import Progress, SubmissionStatus, TaskReport

from . import pdf_fixtures
from .pdf_data import accept_submissions
from .pdf_fixtures import SIGNER, page_texts, pdf_text, runs_with_fonts, squeeze

accepted, cycle, profile = pdf_fixtures.accepted, pdf_fixtures.cycle, pdf_fixtures.profile  # shared fixtures

ISSUED_ON = datetime.date(2025, 1, 5)


def render(cycle, profile, number_text="05/BC-SGDĐT", *, draft=False):
    context = build_consolidated_context(
        cycle=cycle,
        snapshot=issuer_snapshot(profile),
        issued_on=ISSUED_ON,
        number_text=number_text,
        charts=[],
        draft=draft,
    )
    return render_template_pdf("pdf/consolidated_report.html", context).content


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def consolidated(cycle, accepted, profile):
    return render(cycle, profile)


def test_first_page_has_both_header_columns_title_subject_and_addressee(consolidated, tmp_path):
    first = pdf_text(consolidated, tmp_path, first=1, last=1)
    for line in (
        "UBND THÀNH PHỐ HẢI PHÒNG",
        "SỞ GIÁO DỤC VÀ ĐÀO TẠO",
        "Số: 05/BC-SGDĐT",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Hải Phòng, ngày 05 tháng 01 năm 2025",
        "BÁO CÁO",
        "Kết quả thực hiện Kế hoạch số 193/KH-UBND năm 2024",
        "Kính gửi: Ủy ban nhân dân thành phố.",
    ):
        assert line in first, line


def test_header_weights_and_the_italic_date_follow_the_decree(consolidated):
    runs = runs_with_fonts(consolidated)

    def font_of(fragment: str) -> str:
        # Unit names are joined by no-break spaces (they never break across lines).
        return next(font for text, font in runs if fragment in text.replace("\xa0", " "))

    assert font_of("Hải Phòng, ngày 05").endswith("Liberation-Serif-Italic")
    assert font_of("SỞ GIÁO DỤC").endswith("Liberation-Serif-Bold")
    assert font_of("CỘNG HÒA").endswith("Liberation-Serif-Bold")
    assert font_of("UBND THÀNH PHỐ").endswith("Liberation-Serif")
    assert font_of("Nơi nhận").endswith("Bold-Italic") if any("Nơi nhận" in t for t, _ in runs) else True


def test_a_draft_has_no_number_and_says_draft_on_its_first_page(consolidated, cycle, accepted, profile, tmp_path):
    first = pdf_text(render(cycle, profile, "…/BC-SGDĐT", draft=True), tmp_path, first=1, last=1)
    assert "Số: …/BC-SGDĐT" in first and "DỰ THẢO" in first
    assert "DỰ THẢO" not in pdf_text(consolidated, tmp_path)


def test_body_has_the_five_sections_in_order_with_reporting_and_summary_lines(consolidated, tmp_path):
    text = " ".join(pdf_text(consolidated, tmp_path).split())
    headings = [
        "I. CÔNG TÁC LÃNH ĐẠO, CHỈ ĐẠO, TRIỂN KHAI THỰC HIỆN",
        "II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ, GIẢI PHÁP",
        "III. ĐÁNH GIÁ CHUNG",
        "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM TỚI",
        "V. KIẾN NGHỊ, ĐỀ XUẤT",
        "Phụ lục I KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ",
    ]
    positions = [text.find(h) for h in headings]
    assert -1 not in positions, dict(zip(headings, positions, strict=True))
    assert positions == sorted(positions)
    assert "Tính đến ngày 05/01/2025, có 7/38 đơn vị gửi báo cáo" in text
    assert "Tổng số 42 nhiệm vụ; đã hoàn thành" in text and "; quá hạn" in text
    assert "1. Ưu điểm" in text and "2. Tồn tại, hạn chế và nguyên nhân" in text


def test_closing_has_recipients_and_the_signature_from_the_profile(consolidated, tmp_path):
    text = pdf_text(consolidated, tmp_path)
    for line in (
        "Nơi nhận:",
        "- Như trên;",
        "- Giám đốc Sở (để b/c);",
        "- Lưu: VT, KHTC.",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        SIGNER,
    ):
        assert line in text, line


def test_appendix_lists_every_task_under_a_repeated_header_on_landscape_pages(consolidated, tmp_path, plan):
    pages = page_texts(consolidated, tmp_path)
    start = next(i for i, page in enumerate(pages) if "Phụ lục I" in page)
    reader = PdfReader(io.BytesIO(consolidated))
    # pypdf reads in drawing order, one table cell after another; pdftotext would interleave the columns.
    appendix = squeeze("".join(page.extract_text() for page in reader.pages[start:]))
    tasks = list(Task.objects.filter(group__plan=plan))
    assert len(tasks) == 42
    # A tall row may now break across pages (the header row repeated in between): look for each task's opening.
    missing = [task.code for task in tasks if squeeze(task.text)[:60] not in appendix]
    assert missing == []
    assert squeeze("KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CỦA KẾ HOẠCH SỐ 193/KH-UBND NĂM 2024") in appendix
    assert squeeze("(Kèm theo Báo cáo số 05/BC-SGDĐT ngày 05/01/2025 của Sở Giáo dục và Đào tạo)") in appendix
    assert all(squeeze("Nội dung nhiệm vụ") in squeeze(page) for page in pages[start:])
    assert len(pages) - start >= 2, "the appendix should run over several pages"
    first_box, last_box = reader.pages[0].mediabox, reader.pages[-1].mediabox
    assert (round(float(first_box.width)), round(float(first_box.height))) == (595, 842)
    assert float(last_box.width) > float(last_box.height)


def test_page_numbers_start_on_page_two(consolidated, tmp_path):
    pages = page_texts(consolidated, tmp_path)
    assert len(pages) >= 3
    assert pages[0].split()[0] != "1"
    assert pages[1].split()[0] == "2"
    assert pages[2].split()[0] == "3"


def test_text_agencies_type_is_printed_not_interpreted(cycle, accepted, profile, tmp_path):
    report = accepted[0].task_reports.first()
    report.results = 'Kết quả <img src="file:///etc/hostname"> & <b>đậm</b>'
    report.save()
    text = pdf_text(render(cycle, profile), tmp_path)
    assert '<img src="file:///etc/hostname">' in " ".join(text.split())


def test_only_accepted_submissions_are_consolidated(cycle, accepted, profile, tmp_path):
    accepted[0].status = SubmissionStatus.SUBMITTED
    accepted[0].save()
    text = " ".join(pdf_text(render(cycle, profile), tmp_path).split())
    assert "có 7/38 đơn vị gửi báo cáo; 6 báo cáo đã được thẩm định" in text


def test_the_context_takes_the_same_number_of_queries_whatever_the_number_of_submissions(cycle, profile):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            build_consolidated_context(
                cycle=cycle,
                snapshot=issuer_snapshot(profile),
                issued_on=ISSUED_ON,
                number_text="05/BC-SGDĐT",
                charts=[],
            )
        return len(queries)

    accept_submissions(cycle, limit=2)
    few = count()
    accept_submissions(cycle, skip=2, limit=20)
    # 17 = the report's own reads, plus the three task_statuses adds to the plan's tasks it replaces (lead
    # reports counted per task, the plan's cycles, the first "done" of each task).
    assert count() == few <= 17


def test_an_agency_downloads_its_own_submission_as_a_pdf_with_its_own_header(
    client, cycle, district_staff, other_agency_staff, district, tmp_path
):
    submission = accept_submissions(cycle, limit=40)
    submission = next(s for s in submission if s.agency == district)
    client.force_login(district_staff)
    response = client.get(reverse("reports:submission_pdf", args=[submission.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content, tmp_path).split())
    for line in (
        "ỦY BAN NHÂN DÂN QUẬN LÊ CHÂN",
        "Số: …/BC-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Lê Chân, ngày 28 tháng 11 năm 2024",  # the district's own place name (Agency.place_name)
        "Kính gửi:",
        "- Sở Giáo dục và Đào tạo;",
        "- Sở Lao động - Thương binh và Xã hội.",
        "V. KIẾN NGHỊ, ĐỀ XUẤT",
        "Nơi nhận:",
        # A People's Committee signs collectively, its chairman's deputy for him (Nghị định 30/2020).
        "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH PHÓ CHỦ TỊCH",
    ):
        assert line in text, line
    # The issuer's name never breaks inside the district's name ("QUẬN LÊ / CHÂN").
    raw_lines = [" ".join(line.split()) for line in pdf_text(response.content, tmp_path).splitlines()]
    assert any("QUẬN LÊ CHÂN" in line for line in raw_lines)
    client.force_login(other_agency_staff)
    assert client.get(reverse("reports:submission_pdf", args=[submission.pk])).status_code == 404


def test_the_dashboard_progress_chart_is_drawn_in_section_two(cycle, accepted, profile, tmp_path):
    context = build_consolidated_context(
        cycle=cycle, snapshot=issuer_snapshot(profile), issued_on=ISSUED_ON, number_text="05/BC-SGDĐT"
    )
    assert len(context["charts"]) == 1 and context["charts"][0].startswith("data:image/svg+xml;base64,")
    content = render_template_pdf("pdf/consolidated_report.html", context).content
    assert "Tiến độ thực hiện nhiệm vụ theo nhóm" in pdf_text(content, tmp_path, first=1, last=4)
    # Readable on paper: its labels at 9 pt, beside the body's 14 pt (drawn wider than the page and squeezed
    # into 78 mm of height, they had printed at 5.7 pt and the title at 7.3 pt).
    (chart_page,) = [i for i, text in enumerate(page_texts(content, tmp_path)) if "theo nhóm" in text]
    with pdfplumber.open(io.BytesIO(content)) as pdf:
        sizes = {round(char["size"], 1) for char in pdf.pages[chart_page].chars}
    assert min(sizes) >= 9.0, sorted(sizes)


def test_the_appendix_progress_column_shows_the_dashboards_status_overdue_included(cycle, profile):
    """A task whose lead reported "in progress" and whose deadline passed in the year is "Quá hạn", as on the
    dashboard; a task only co-operating agencies reported on is "Chưa có báo cáo"."""
    accepted = accept_submissions(cycle, limit=12)  # the 7th is the Sở GD&ĐT, lead of most tasks
    late = TaskReport.objects.filter(submission__in=accepted, role=AssignmentRole.LEAD).select_related("task")[0]
    Task.objects.filter(pk=late.task_id).update(deadline=datetime.date(2024, 6, 30))
    TaskReport.objects.filter(task_id=late.task_id, submission__in=accepted, role=AssignmentRole.LEAD).update(
        progress=Progress.IN_PROGRESS
    )
    context = build_consolidated_context(
        cycle=cycle, snapshot=issuer_snapshot(profile), issued_on=ISSUED_ON, number_text="05/BC-SGDĐT", charts=[]
    )
    rows = {row.code: row for group in context["groups"] for row in group.tasks}
    expected = {
        line.task.code: line.status_label
        for line in task_statuses(cycle=cycle, today=ISSUED_ON, statuses=[SubmissionStatus.ACCEPTED])
    }
    assert {code: row.progress_label for code, row in rows.items()} == expected
    assert rows[late.task.code].progress_label == "Quá hạn"
    co_operating_only = [row for row in rows.values() if row.status == TaskStatus.NO_REPORT and row.co_reported]
    assert co_operating_only, "the sample data should have a task only co-operating agencies reported on"
    assert all(
        row.progress_label == "Chưa có báo cáo" and "chủ trì chưa báo cáo" in row.note for row in co_operating_only
    )


def test_the_pdf_chart_is_the_dashboards_chart(client, cycle, accepted, profile, education_reviewer):
    with time_machine.travel(datetime.datetime(2025, 1, 5, 9, tzinfo=datetime.UTC), tick=False):
        client.force_login(education_reviewer)
        page = client.get(reverse("reports:dashboard"), {"plan": cycle.plan_id, "year": cycle.year})
    context = build_consolidated_context(
        cycle=cycle, snapshot=issuer_snapshot(profile), issued_on=ISSUED_ON, number_text="05/BC-SGDĐT"
    )
    (chart,) = context["charts"]
    in_pdf = base64.b64decode(chart.split(",", 1)[1]).decode("utf-8")
    on_page = page.context["progress_svg"]

    def bars(svg: str) -> list[str]:
        root = ET.fromstring(svg)
        ns = "{http://www.w3.org/2000/svg}"
        return [r.find(f"{ns}title").text for r in root.iter(f"{ns}rect") if r.find(f"{ns}title") is not None]

    # The same bars (status: count, in order) from the same counts; the PDF draws them in the document's serif
    # with wrapped labels and a wider label column.
    assert bars(in_pdf) == bars(on_page) and bars(in_pdf)
    assert 'font-family="Liberation Serif"' in in_pdf and "…" not in in_pdf


def test_the_dashboard_and_the_consolidated_pdf_print_the_same_summary_sentence(
    client, cycle, profile, education_reviewer, tmp_path
):
    """One rule for both: the dashboard on the day the report is issued and the report itself, on the same
    accepted reports, say the same thing (lead reports decide; co-operating ones never do)."""
    accept_submissions(cycle, limit=12)
    with time_machine.travel(datetime.datetime(2025, 1, 5, 9, tzinfo=datetime.UTC), tick=False):
        client.force_login(education_reviewer)
        page = client.get(reverse("reports:dashboard"), {"plan": cycle.plan_id, "year": cycle.year})
    assert page.status_code == 200
    on_dashboard = html.unescape(re.search(r'id="summary-line">(.*?)</p>', page.content.decode(), re.S)[1])
    in_pdf = one_line(pdf_text(render(cycle, profile), tmp_path))
    _groups, summary = progress_by_group(task_statuses(cycle=cycle, today=ISSUED_ON))
    assert one_line(on_dashboard) == summary.sentence()
    assert summary.sentence() in in_pdf
    assert summary.no_report and summary.done, "the data should exercise more than one status"


@pytest.mark.django_db
def test_the_agencies_still_owing_are_listed_in_vietnamese_order(cycle, profile):
    """The appendix's list of agencies that have not sent: "quận Đồ Sơn" among the D's, before "quận Hải An" (code
    points, and PostgreSQL's C collation, put every "Đ" after "Z")."""
    context = build_consolidated_context(
        cycle=cycle, snapshot=issuer_snapshot(profile), issued_on=ISSUED_ON, number_text="x", charts=[], draft=True
    )
    missing = context["missing_agencies"]
    assert missing == sorted(missing, key=collation_key)
    assert missing.index("Ủy ban nhân dân quận Đồ Sơn") < missing.index("Ủy ban nhân dân quận Hải An")
