"""A version of a regulation as DOCX (python-docx): the same layout as the PDF, for those who keep documents in Word.

Times New Roman 14 as Russian offices write, A4 with the ГОСТ margins, the stamps in a borderless two-column table,
the page number at the top centre from the second page, «ПРОЕКТ» in every page's header of a draft."""

import io

from docx import Document as WordDocument
from docx.enum.section import WD_SECTION_START
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from portal.qr import qr_png

from . import DRAFT_MARK, MARGINS, SIGN_LINE, Layout

FONT = "Times New Roman"
RED = RGBColor(0xB0, 0x00, 0x20)
TEXT_WIDTH = Mm(210 - MARGINS["left"] - MARGINS["right"])


def _styles(word) -> None:
    normal = word.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)  # Word takes Cyrillic text's font from here too
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.line_spacing = 1.0


def _page(word) -> None:
    section = word.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(MARGINS["left"]), Mm(MARGINS["right"])
    section.top_margin, section.bottom_margin = Mm(MARGINS["top"]), Mm(MARGINS["bottom"])
    section.header_distance = Mm(10)
    section.different_first_page_header_footer = True


def _page_number(paragraph) -> None:
    """A PAGE field: Word and LibreOffice put the page's number in its place."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "2"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = " PAGE "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def _headers(word, draft: bool) -> None:
    section = word.sections[0]
    # Pages 2 and on: the number at the top centre (and «ПРОЕКТ» at the right edge of a draft).
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(header)
    if draft:
        header.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
        _mark(header.add_run("\t" + DRAFT_MARK), size=10)
        first = section.first_page_header.paragraphs[0]
        first.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _mark(first.add_run(DRAFT_MARK), size=10)


def _mark(run, *, size: int) -> None:
    run.bold = True
    run.font.size = Pt(size)
    run.font.color.rgb = RED


def _paragraph(word_or_cell, text: str = "", *, align=None, bold=False, indent=False, after: float = 0):
    paragraph = word_or_cell.add_paragraph()
    if text:
        paragraph.add_run(text).bold = bold
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Mm(12.5)
    paragraph.paragraph_format.space_after = Pt(after)
    return paragraph


def _stamp(cell, stamp) -> None:
    paragraph = cell.add_paragraph() if cell.paragraphs[0].text else cell.paragraphs[0]
    paragraph.add_run(stamp.title)
    for line in stamp.lines:
        paragraph.add_run().add_break()
        paragraph.add_run(line)
    paragraph.paragraph_format.space_after = Pt(6)


def _stamps(word, doc: Layout) -> None:
    if not doc.approval and not doc.agreements:
        return
    table = word.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, (Mm(95), Mm(85)))
    left, right = table.rows[0].cells
    for stamp in doc.agreements:
        _stamp(left, stamp)
    if doc.approval:
        _stamp(right, doc.approval)
    _paragraph(word, after=6)


def _widths(table, widths) -> None:
    """Fixed column widths that Word and LibreOffice both keep (the grid and every cell say the same)."""
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width


def _hyphenation(word) -> None:
    """Automatic hyphenation, as justified Russian text needs to avoid wide gaps."""
    settings = word.settings.element
    if settings.find(qn("w:autoHyphenation")) is None:
        settings.append(OxmlElement("w:autoHyphenation"))


def version_docx(doc: Layout) -> bytes:
    """The DOCX (A4) of a laid-out version."""
    word = WordDocument()
    _styles(word)
    _page(word)
    _headers(word, doc.draft)
    _hyphenation(word)
    word.core_properties.title = doc.title
    word.core_properties.author = doc.organisation
    word.core_properties.language = "ru-RU"

    first = word.paragraphs[0] if word.paragraphs else _paragraph(word)
    first.add_run(doc.organisation).bold = True
    first.alignment = WD_ALIGN_PARAGRAPH.CENTER
    first.paragraph_format.space_after = Pt(18)
    _stamps(word, doc)
    if doc.draft:
        mark = _paragraph(word, align=WD_ALIGN_PARAGRAPH.RIGHT, after=12)
        _mark(mark.add_run(DRAFT_MARK), size=14)
    _paragraph(word, doc.doc_type, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, after=6)
    date_line = _paragraph(word, after=12)
    if doc.number:
        date_line.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
        date_line.add_run(f"{doc.date}\t№ {doc.number}")
    else:
        date_line.alignment = WD_ALIGN_PARAGRAPH.CENTER
        date_line.add_run(doc.date)
    _paragraph(word, doc.heading, align=WD_ALIGN_PARAGRAPH.CENTER, bold=True, after=12)
    if doc.preamble:
        _paragraph(word, doc.preamble, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True, after=3)
    if doc.command:
        _paragraph(word, doc.command, after=3)
    for section in doc.sections:
        if section.title:
            title = _paragraph(word, f"{section.number}. {section.title}", align=WD_ALIGN_PARAGRAPH.CENTER, bold=True)
            title.paragraph_format.space_before = Pt(12)
            title.paragraph_format.space_after = Pt(6)
            title.paragraph_format.keep_with_next = True
        for clause in section.clauses:
            _paragraph(word, f"{clause.number}. {clause.text}", align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True, after=3)
    if doc.signature:
        position, name = doc.signature
        signature = _paragraph(word)
        signature.paragraph_format.space_before = Pt(36)
        signature.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
        signature.add_run(f"{position}\t{SIGN_LINE} {name}")
    _link(word, doc)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def _link(word, doc: Layout) -> None:
    """The QR code of the version's page in the first page's footer, as the PDF has it."""
    section = word.sections[0]
    section.footer_distance = Mm(4)
    footer = section.first_page_footer
    table = footer.add_table(rows=1, cols=2, width=TEXT_WIDTH)
    _widths(table, (Mm(20), TEXT_WIDTH - Mm(20)))
    picture, text = table.rows[0].cells
    picture.paragraphs[0].add_run().add_picture(io.BytesIO(qr_png(doc.url)), width=Mm(16))
    text.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    caption = text.paragraphs[0]
    caption.add_run(f"{doc.footnote}:").add_break()
    caption.add_run(doc.url)
    for run in caption.runs:
        run.font.size = Pt(8)
    # A footer ends with a paragraph: its own empty one goes after the table, one point high.
    empty = footer.paragraphs[0]
    table._tbl.addnext(empty._p)
    empty.paragraph_format.line_spacing = Pt(1)
