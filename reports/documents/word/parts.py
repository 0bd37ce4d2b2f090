"""Building blocks of the Word copies (reports.documents.word.builders): page setup, styles, the two-column header, the
Nơi nhận / signature row and small paragraph helpers, in the Nghị định 30/2020/NĐ-CP format.

Formatting lives in named styles wherever it can, so whoever edits the copy in Word gets the same look for the
paragraphs they add. Python-docx has no API for a few things the decree needs (the repeated table header, page
numbers, paragraph rules, theme-free fonts); those are set on the XML directly, each in one helper here.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.text.font import Font

FONT = "Times New Roman"
A4 = (Mm(210), Mm(297))
# Portrait text width: 210 mm less the left (30) and right (15) margins.
TEXT_WIDTH_CM = 16.5
HEADER_COLUMNS_CM = (6.9, 9.6)  # "UBND THÀNH PHỐ HẢI PHÒNG" | the national name, each on one line at 13 pt
CLOSING_COLUMNS_CM = (7.4, 9.1)

BODY = "Normal"
TABLE_TEXT = "Nội dung bảng"  # style names are shown to the person editing the copy: Vietnamese
CENTRED = "Căn giữa"
# ASCII style ids behind those names: ids are references inside the file, where some tools expect ASCII.
STYLE_IDS = {TABLE_TEXT: "NoiDungBang", CENTRED: "CanGiua"}
# What may follow w:pBdr inside w:pPr (ECMA-376 CT_PPrBase), for inserting it in schema order.
_AFTER_PBDR = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def set_font(rpr_owner, *, size: float | None = None, bold: bool | None = None, italic: bool | None = None) -> None:
    """Times New Roman for every script slot: a style's theme fonts (Calibri, Cambria in python-docx's template)
    would otherwise win over the name python-docx sets, and Vietnamese letters use the hAnsi slot."""
    rpr = rpr_owner.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in list(fonts.attrib):
        if attribute.endswith("Theme") or attribute.endswith("theme"):
            del fonts.attrib[attribute]
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT)
    color = rpr.find(qn("w:color"))
    if color is not None:
        rpr.remove(color)
    font = Font(rpr_owner)
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if italic is not None:
        font.italic = italic


def _paragraph_style(
    doc,
    name: str,
    *,
    base: str = BODY,
    size: float = 14,
    bold=False,
    italic=False,
    align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    first_line_cm: float | None = 1.27,
    before: float = 0,
    after: float = 6,
    keep_next: bool = False,
):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    if name in STYLE_IDS:
        style.style_id = STYLE_IDS[name]
    if name != BODY:
        style.base_style = styles[base]
    set_font(style.element, size=size, bold=bold, italic=italic)
    fmt = style.paragraph_format
    fmt.alignment, fmt.space_before, fmt.space_after = align, Pt(before), Pt(after)
    fmt.first_line_indent = Cm(first_line_cm) if first_line_cm else Cm(0)
    fmt.line_spacing, fmt.keep_with_next = 1.0, keep_next
    return style


def new_document(*, title: str, author: str):
    """A4 portrait, margins top 20 / bottom 20 / left 30 / right 15 mm, Times New Roman 14 pt justified with a
    1.27 cm first-line indent and 6 pt after; page numbers centred in the top margin, from page 2 on."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = A4
    set_margins(section, left=30)
    _paragraph_style(doc, BODY)
    # Spell-checking and hyphenation in Word follow the text's language.
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "vi-VN")
    doc.styles[BODY].element.get_or_add_rPr().append(lang)
    for level, italic in ((1, False), (2, False), (3, True)):
        # Real heading styles: Word's navigation pane then lists the sections of the report.
        _paragraph_style(
            doc, f"Heading {level}", size=14, bold=level < 3, italic=italic, before=6 * (level == 1), keep_next=True
        )
    _paragraph_style(doc, TABLE_TEXT, size=11, align=WD_ALIGN_PARAGRAPH.LEFT, first_line_cm=None, after=2)
    _paragraph_style(doc, CENTRED, align=WD_ALIGN_PARAGRAPH.CENTER, first_line_cm=None, after=0)
    section.different_first_page_header_footer = True
    page_number(section.header.paragraphs[0], doc)
    doc.core_properties.title, doc.core_properties.author = title, author
    doc.core_properties.language, doc.core_properties.last_modified_by = "vi-VN", author
    return doc


def set_margins(section, *, left: float) -> None:
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(left), Mm(15)


def landscape_section(doc):
    """A new page in A4 landscape for the appendix table, which the decree allows; its first page is numbered
    like the others (the unnumbered first page is the report's, not the appendix's)."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = A4[1], A4[0]
    set_margins(section, left=25)
    section.different_first_page_header_footer = False
    return section


def page_number(paragraph, doc) -> None:
    paragraph.style = doc.styles[CENTRED]
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def para(
    container,
    text: str = "",
    *,
    style: str = BODY,
    bold=None,
    italic=None,
    size=None,
    align=None,
    after: float | None = None,
    lead: str = "",
    lead_italic: bool = True,
):
    """One paragraph; `lead` (an agency's name, "- Sở Nội vụ: ") is written before `text` in italics, as in
    the PDF."""
    paragraph = container.add_paragraph(style=style)
    if lead:
        set_font(paragraph.add_run(lead)._r, italic=lead_italic, bold=bold, size=size)
    if text:
        set_font(paragraph.add_run(text)._r, bold=bold, italic=italic, size=size)
    if align is not None:
        paragraph.alignment = align
    if after is not None:
        paragraph.paragraph_format.space_after = Pt(after)
    return paragraph


def rule(container, *, length_cm: float, width_cm: float, after: float = 6) -> None:
    """A short horizontal rule centred in a `width_cm` column: the bottom border of an empty paragraph indented
    from both sides (Nghị định 30 puts one under the issuing body, the motto and the subject)."""
    paragraph = container.add_paragraph(style=CENTRED)
    fmt = paragraph.paragraph_format
    side = max((width_cm - length_cm) / 2, 0)
    fmt.left_indent, fmt.right_indent, fmt.space_after = Cm(side), Cm(side), Pt(after)
    set_font(paragraph.add_run()._r, size=2)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    # WordprocessingML orders a paragraph's properties: the border goes before spacing and indentation.
    paragraph._p.get_or_add_pPr().insert_element_before(borders, *_AFTER_PBDR)


def borderless_table(doc, widths_cm: tuple[float, ...]):
    """A layout table (header, signature row): no borders, fixed column widths."""
    table = doc.add_table(rows=1, cols=len(widths_cm))
    table.alignment, table.autofit = WD_TABLE_ALIGNMENT.CENTER, False
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.insert_element_before(borders, "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook")
    set_widths(table, widths_cm)
    return table


def set_widths(table, widths_cm) -> None:
    """Word reads the width of each cell, not of the column: set both; a merged cell (a group row of the
    appendix) is as wide as the columns it spans."""
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        start = 0
        for tc in row._tr.tc_lst:
            tc.width = Cm(sum(widths_cm[start : start + tc.grid_span]))
            start += tc.grid_span


def cell_paragraph(cell, text: str, **kwargs):
    """Write into a cell: its first (empty) paragraph, then new ones."""
    kwargs.setdefault("style", CENTRED)
    first = cell.paragraphs[0]
    if len(cell.paragraphs) == 1 and not first.text and not first.runs:
        first._p.getparent().remove(first._p)
    return para(cell, text, **kwargs)


def draft_mark(doc) -> None:
    """ "DỰ THẢO", boxed and right-aligned above the header, as drafts circulated for comment are marked."""
    paragraph = para(doc, _("DỰ THẢO"), style=CENTRED, bold=True, size=13, align=WD_ALIGN_PARAGRAPH.RIGHT, after=4)
    border = OxmlElement("w:bdr")
    for key, value in (("w:val", "single"), ("w:sz", "8"), ("w:space", "1"), ("w:color", "000000")):
        border.set(qn(key), value)
    paragraph.runs[0]._r.get_or_add_rPr().append(border)


def header_block(doc, header, subject: str) -> None:
    """The two-column header of page 1, then "BÁO CÁO" and the subject with its rule."""
    left, right = borderless_table(doc, HEADER_COLUMNS_CM).rows[0].cells
    if header.parent_body:
        cell_paragraph(left, header.parent_body.upper(), size=13)
    cell_paragraph(left, header.issuer_name.upper(), size=13, bold=True)
    rule(left, length_cm=2.4, width_cm=HEADER_COLUMNS_CM[0], after=4)
    cell_paragraph(left, header.number_line, size=13)
    cell_paragraph(right, _("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), size=13, bold=True)
    cell_paragraph(right, _("Độc lập - Tự do - Hạnh phúc"), size=14, bold=True)
    # About as long as the motto at 14 pt bold, as the decree wants.
    rule(right, length_cm=6.4, width_cm=HEADER_COLUMNS_CM[1], after=6)
    cell_paragraph(right, header.place_date, italic=True)
    para(doc, _("BÁO CÁO"), style=CENTRED, bold=True).paragraph_format.space_before = Pt(18)
    para(doc, subject, style=CENTRED, bold=True)
    rule(doc, length_cm=4.0, width_cm=TEXT_WIDTH_CM, after=12)


def closing_block(doc, recipients: list[str], signature) -> None:
    """Nơi nhận (12 pt bold italic, list 11 pt) on the left, the signature block on the right."""
    table = borderless_table(doc, CLOSING_COLUMNS_CM)
    left, right = table.rows[0].cells
    cell_paragraph(left, _("Nơi nhận:"), style=TABLE_TEXT, size=12, bold=True, italic=True, after=0)
    for line in recipients:
        cell_paragraph(left, line, style=TABLE_TEXT, size=11, after=0)
    for line in (signature.authority, signature.prefix, signature.title):
        if line:
            cell_paragraph(right, line.upper(), bold=True)
    # Room for the signature and the seal, as in the PDF (28 mm).
    cell_paragraph(right, "").paragraph_format.space_after = Mm(28)
    if signature.name:
        cell_paragraph(right, signature.name, bold=True)
    else:
        cell_paragraph(right, _("(Chưa khai báo họ tên người ký)"), size=12, italic=True)


def repeat_header_row(row) -> None:
    """w:tblHeader: Word repeats this row at the top of every page the table runs onto."""
    flag = OxmlElement("w:tblHeader")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def keep_row_whole(row) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
