"""Editable Word (.docx) copies of the consolidated report and of one agency's report, built with python-docx
from the same context dicts the PDF templates print (build_consolidated_context, build_submission_context),
so both files say the same thing: the PDF is the document as issued, the .docx the copy people keep editing
(LESSONS.md: "a PDF and an editable file must come out").

Layout follows Nghị định 30/2020/NĐ-CP as the PDF does (reports/pdf/word_parts.py): A4 portrait, Times New
Roman 14 pt, the two-column header and the Nơi nhận / signature row as borderless tables, the appendix on an A4
landscape section with its header row repeated on every page.

The charts are the PDF's own SVG, rasterised to PNG by cairosvg (Word takes no plain SVG picture) with the same
serif font, and inserted at the text width.

Fixed texts use the PDF templates' own message ids, so one translation catalog serves both; callers wrap the
build in translation.override("vi") (official documents are Vietnamese whatever the reader's interface language),
and the builders do it again so a direct call cannot come out in English.
"""

from __future__ import annotations

import io

from django.utils import translation
from django.utils.translation import gettext as _

from reports.documents.word import parts as parts
from reports.documents.word.parts import CENTRED, TABLE_TEXT, para

APPENDIX_COLUMNS_CM = (1.2, 6.4, 2.6, 3.2, 2.2, 6.1, 2.0, 2.0)  # 25.7 cm: landscape A4 less 25 + 15 mm margins


def _bytes(doc) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _heading(doc, text: str, level: int):
    # Section headings (I. …) are capitals in the PDF (CSS); here the text itself is, so it stays when edited.
    return doc.add_paragraph(text.upper() if level == 1 else text, style=f"Heading {level}")


def _agency_texts(doc, grouped, empty: str) -> None:
    """ "- Sở A, Sở B: text (nhiệm vụ 1.1)" per distinct text (synthesis.GroupedList), as the PDF prints it."""
    if not grouped.items:
        para(doc, empty)
    for item in grouped.items:
        para(doc, item.line, lead=f"- {item.agencies_text}: ")
    if grouped.more:
        para(doc, grouped.more_line, italic=True)


def _chart_png(svg: str) -> bytes:
    import cairosvg  # imported here: only the consolidated Word copy needs cairo

    # Twice the SVG's pixel size, so the picture stays sharp when printed at the text width.
    return cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=2)


def _task_line(task) -> tuple[str, str]:
    """(lead in bold, rest) of a task's paragraph of section II, the PDF template's sentence."""
    head = f"{_('Nhiệm vụ')} {task.code}"
    rest = f" ({str(task.progress_label).lower()}; {_('chủ trì:')} {task.lead or '—'}). "
    if task.excerpt:
        rest += f"{task.excerpt_agency}: {task.excerpt}{' […]' if task.excerpt_cut else ''}"
    else:
        rest += _("Chưa có đơn vị báo cáo kết quả.")
    if task.co_expected:
        rest += " " + _("Đơn vị phối hợp đã báo cáo: %(n)s/%(total)s.") % {
            "n": task.co_reported,
            "total": task.co_expected,
        }
    return head, rest


def _closing_sentence(context: dict) -> str:
    return _(
        "Trên đây là báo cáo kết quả thực hiện Kế hoạch của %(issuer)s, kính báo cáo %(addressee)s xem xét, chỉ đạo./."
    ) % {"issuer": context["snapshot"]["issuer"]["name"], "addressee": context["addressee"]}


def consolidated_docx(context: dict) -> bytes:
    """The consolidated report (templates/pdf/consolidated_report.html) as a .docx."""
    with translation.override("vi"):
        header = context["header"]
        doc = parts.new_document(title=f"{_('Báo cáo')} {context['subject']}", author=header.issuer_name)
        if context["draft"]:
            parts.draft_mark(doc)
        parts.header_block(doc, header, context["subject"])
        if context.get("replaces"):
            para(doc, context["replaces_line"], style=CENTRED, italic=True, after=8)
        para(doc, f"{_('Kính gửi:')} {context['addressee']}.", style=CENTRED, after=12)
        nothing = _("Chưa có nội dung.")

        _heading(doc, _("I. Công tác lãnh đạo, chỉ đạo, triển khai thực hiện"), 1)
        para(doc, context["reporting_line"])
        if context["missing_agencies"]:
            para(doc, f"{_('Các đơn vị chưa gửi báo cáo:')} {'; '.join(context['missing_agencies'])}.")
        if context["issued_documents"].items:
            para(doc, _("Các văn bản lãnh đạo, chỉ đạo, triển khai đã ban hành:"))
            _agency_texts(doc, context["issued_documents"], nothing)

        _heading(doc, _("II. Kết quả thực hiện các nhiệm vụ, giải pháp"), 1)
        para(doc, context["summary_line"], bold=True)
        # The figures' basis under them, the same sentences the dashboard prints (reports.dashboard.basis).
        for line in (context.get("basis_line"), context.get("waiting_line")):
            if line:
                para(doc, line)
        for svg in context.get("chart_svgs", []):
            doc.add_picture(io.BytesIO(_chart_png(svg)), width=parts.Cm(parts.TEXT_WIDTH_CM))
            doc.paragraphs[-1].alignment = parts.WD_ALIGN_PARAGRAPH.CENTER
        para(doc, context["synthesis_note"])
        for group in context["groups"]:
            _heading(doc, f"{group.number}. {group.title}", 2)
            para(doc, group.counts_line, italic=True)
            for task in group.tasks:
                head, rest = _task_line(task)
                para(doc, rest, lead=head)

        _heading(doc, _("III. Đánh giá chung"), 1)
        _heading(doc, _("1. Ưu điểm"), 2)
        _agency_texts(doc, context["strengths"], nothing)
        _heading(doc, _("2. Tồn tại, hạn chế và nguyên nhân"), 2)
        _agency_texts(doc, context["shortcomings"], nothing)
        if context["difficulties"].items:
            _heading(doc, _("Khó khăn, vướng mắc trong thực hiện nhiệm vụ"), 3)
            _agency_texts(doc, context["difficulties"], nothing)
        _heading(doc, _("IV. Phương hướng, nhiệm vụ năm tới"), 1)
        _agency_texts(doc, context["directions"], nothing)
        _heading(doc, _("V. Kiến nghị, đề xuất"), 1)
        _agency_texts(doc, context["proposals"], nothing)
        if context["task_proposals"].items:
            _heading(doc, _("Đề xuất gắn với từng nhiệm vụ"), 3)
            _agency_texts(doc, context["task_proposals"], nothing)
        para(doc, _closing_sentence(context))
        parts.closing_block(doc, context["recipients"], context["signature"])
        _appendix(doc, context)
        return _bytes(doc)


def _appendix(doc, context: dict) -> None:
    """Phụ lục I on its own landscape section: one table, the header row repeated on every page, group rows
    (I, II, …) bold across the row and kept with their first task."""
    parts.landscape_section(doc)
    para(doc, _("Phụ lục I"), style=CENTRED, bold=True)
    para(doc, context["appendix_title"].upper(), style=CENTRED, bold=True)
    para(doc, context["appendix_reference"], style=CENTRED, italic=True, after=8)
    table = doc.add_table(rows=1, cols=len(APPENDIX_COLUMNS_CM))
    table.style, table.autofit = doc.styles["Table Grid"], False
    headings = (
        _("STT"),
        _("Nội dung nhiệm vụ"),
        _("Cơ quan chủ trì"),
        _("Cơ quan phối hợp"),
        _("Thời gian hoàn thành"),
        _("Kết quả thực hiện"),
        _("Tiến độ"),
        _("Ghi chú"),
    )
    head = table.rows[0]
    for cell, text in zip(head.cells, headings, strict=True):
        parts.cell_paragraph(cell, text, style=TABLE_TEXT, bold=True, align=parts.WD_ALIGN_PARAGRAPH.CENTER)
    parts.repeat_header_row(head)
    parts.keep_row_whole(head)
    centre = parts.WD_ALIGN_PARAGRAPH.CENTER
    for group in context["groups"]:
        row = table.add_row()
        parts.keep_row_whole(row)
        parts.cell_paragraph(row.cells[0], group.roman, style=TABLE_TEXT, bold=True, align=centre)
        title = row.cells[1].merge(row.cells[-1])
        parts.cell_paragraph(title, group.title, style=TABLE_TEXT, bold=True)
        for task in group.tasks:
            # A task row may break across pages (its header row repeated), as in the PDF.
            cells = table.add_row().cells
            parts.cell_paragraph(cells[0], task.code, style=TABLE_TEXT, align=centre)
            parts.cell_paragraph(cells[1], task.text, style=TABLE_TEXT)
            parts.cell_paragraph(cells[2], task.lead, style=TABLE_TEXT)
            parts.cell_paragraph(cells[3], task.co_operating, style=TABLE_TEXT)
            parts.cell_paragraph(cells[4], task.deadline_text, style=TABLE_TEXT, align=centre)
            parts.cell_paragraph(cells[5], task.progress_breakdown, style=TABLE_TEXT)
            parts.cell_paragraph(cells[6], str(task.progress_label), style=TABLE_TEXT, align=centre)
            parts.cell_paragraph(cells[7], task.note, style=TABLE_TEXT)
    parts.set_widths(table, APPENDIX_COLUMNS_CM)


def submission_docx(context: dict) -> bytes:
    """One agency's report (templates/pdf/submission_report.html) as a .docx, with the agency's own header."""
    with translation.override("vi"):
        header = context["header"]
        doc = parts.new_document(title=f"{_('Báo cáo')} {context['subject']}", author=header.issuer_name)
        parts.header_block(doc, header, context["subject"])
        addressees = context["addressees"]
        if len(addressees) > 1:
            # A list under "Kính gửi:", indented to the right third of the page as the PDF does.
            block = [para(doc, _("Kính gửi:"), style=TABLE_TEXT, size=14, after=0)]
            block += [
                para(doc, f"- {name}{'.' if i == len(addressees) - 1 else ';'}", style=TABLE_TEXT, size=14, after=0)
                for i, name in enumerate(addressees)
            ]
            for paragraph in block:
                paragraph.paragraph_format.left_indent = parts.Cm(parts.TEXT_WIDTH_CM * 0.3)
            block[-1].paragraph_format.space_after = parts.Pt(12)
        else:
            para(doc, f"{_('Kính gửi:')} {addressees[0] if addressees else ''}.", style=CENTRED, after=12)
        nothing = _("Chưa có nội dung.")
        _heading(doc, _("I. Công tác lãnh đạo, chỉ đạo, triển khai thực hiện"), 1)
        for line in context["issued_documents"] or [None]:
            para(doc, f"- {line}" if line else nothing)
        _heading(doc, _("II. Kết quả thực hiện các nhiệm vụ, giải pháp"), 1)
        if not context["groups"]:
            para(doc, nothing)
        for group in context["groups"]:
            _heading(doc, f"{group['number']}. {group['title']}", 2)
            for task in group["tasks"]:
                _heading(
                    doc,
                    f"{_('Nhiệm vụ')} {task['code']} ({str(task['role']).lower()}; {str(task['progress']).lower()})",
                    3,
                )
                para(doc, task["text"])
                for text in task["results"] or [_("Chưa báo cáo kết quả.")]:
                    para(doc, text)
                if task["difficulties"]:
                    para(doc, " ".join(task["difficulties"]), lead=f"{_('Khó khăn, vướng mắc:')} ")
                if task["proposals"]:
                    para(doc, " ".join(task["proposals"]), lead=f"{_('Đề xuất:')} ")
        _heading(doc, _("III. Đánh giá chung"), 1)
        for title, key, level in (
            (_("1. Ưu điểm"), "assessment", 2),
            (_("2. Tồn tại, hạn chế và nguyên nhân"), "shortcomings", 2),
            (_("IV. Phương hướng, nhiệm vụ năm tới"), "directions", 1),
            (_("V. Kiến nghị, đề xuất"), "proposals", 1),
        ):
            _heading(doc, title, level)
            for text in context[key] or [nothing]:
                para(doc, text)
        parts.closing_block(doc, context["recipients"], context["signature"])
        return _bytes(doc)
