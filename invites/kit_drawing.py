"""The invite kit drawn on a PDF canvas: A4 pages of six cut-out cards (2 × 3, 95 × 89 mm, dashed cut lines), each
with the organisation, the class, the person's name and role, a 40 mm QR code beside three numbered steps, the
short link, the expiry and whose card it is.

Every place that prints kits (the invite pages, the API, «Распечатать все комплекты») comes here through
`invites.kits`. The cards are placed directly rather than laid out by the HTML engine: a school's 80 kits are
4,000 cards, and WeasyPrint's layout of ~24 lines of text per card cost ~12 ms a card; here a card is a handful of
strings whose lines are measured once per kind of text. The sizes, fonts (DejaVu Sans, Bold and Sans Mono), spacing
and positions are those of the kit's former HTML page (its CSS is quoted beside each figure); a card whose texts
would run past its cut line (a long name, role and link together) tightens its steps instead of losing its last
lines.
"""

import re
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO

from portal.pdf import new_canvas
from portal.qr import qr_image

MM = 72 / 25.4  # PDF points in a millimetre
PAGE_HEIGHT = 297 * MM
# DejaVu's ascent and descent (hhea, the same in the three faces): a line of "normal" height is both together, and
# a taller line box (line-height) shares the extra space above and below, as CSS does.
ASCENT, DESCENT = 1901 / 2048, 483 / 2048
SANS, BOLD, MONO = "DejaVuSans", "DejaVuSans-Bold", "DejaVuSansMono"
BLACK, DARK, GREY = 0.0, 0x33 / 255, 0x44 / 255  # #000, #333 (the card's small print), #444 (the page's margins)
CUT_GREY, EMPTY_GREY = 0x77 / 255, 0xDD / 255  # the dashed cut lines, and those only an empty place has

# The page: A4, margins 12 mm top and bottom, 10 mm left and right; cells of 95 × 89 mm inside a 0.4 mm dashed
# border (collapsed: one line between two cards), so a card's place repeats every 95.4 × 89.4 mm.
MARGIN_TOP, MARGIN_LEFT, PAGE_RIGHT, FOOTER_TOP = 12.0, 10.0, 200.0, 285.0
BORDER, CELL_WIDTH, CELL_HEIGHT = 0.4, 95.0, 89.0
PADDING_X, PADDING_Y = 5.0, 4.0
CARD_WIDTH = 85.0
CARD_LIMIT = CELL_HEIGHT - PADDING_Y - 1.5  # the card's texts end at least 1.5 mm above its bottom cut line
QR_SIZE = 40.0
STEPS_LEFT = 47.0  # .body ol: 43 mm beside the code + 4 mm of the list's padding; the numbers hang before it
CARDS_PER_PAGE = 6


@dataclass(frozen=True)
class Steps:
    """How the three steps are set: the kit's own sizes, then tighter ones for a card that would not fit."""

    size: float
    leading: float  # line height, times the font size
    gap: float  # mm after each step


STEP_SETTINGS = (Steps(8.5, 1.3, 2.0), Steps(8.5, 1.15, 1.2), Steps(8.0, 1.1, 0.8))


@lru_cache(maxsize=65536)
def _string_width(text: str, font: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, font, size)


_TOKENS = re.compile(r"[^\s-]*(?:-+|\s+|$)")  # a word with the spaces or hyphens after it: where a line may break


@lru_cache(maxsize=16384)
def wrap(runs: tuple[tuple[str, str], ...], size: float, width: float) -> tuple[tuple[tuple[str, str], ...], ...]:
    """The lines of a paragraph of (text, font) runs set in `width` points: each line a tuple of (text, font)
    segments. Lines break after spaces and hyphens; a word longer than the line is cut where the line ends."""
    lines: list[list[tuple[str, str]]] = []
    line: list[tuple[str, str]] = []
    used = 0.0
    for text, font in runs:
        for token in filter(None, _TOKENS.findall(text)):
            ink = _string_width(token.rstrip(), font, size)
            if line and used + ink > width:
                lines.append(line)
                line, used = [], 0.0
            while ink > width:  # alone on its line and still too long
                cut = _fitting_prefix(token, font, size, width)
                lines.append([(token[:cut], font)])
                token = token[cut:]
                ink = _string_width(token.rstrip(), font, size)
            if token:
                line.append((token, font))
                used += _string_width(token, font, size)
    if line or not lines:
        lines.append(line)
    return tuple(_merged(line) for line in lines)


def _fitting_prefix(token: str, font: str, size: float, width: float) -> int:
    used = 0.0
    for n, char in enumerate(token):
        used += _string_width(char, font, size)
        if used > width:
            return max(n, 1)
    return len(token)


def _merged(line: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Neighbouring segments of one font as one, without the spaces at the end of the line."""
    merged: list[list[str]] = []
    for text, font in line:
        if merged and merged[-1][1] == font:
            merged[-1][0] += text
        else:
            merged.append([text, font])
    if merged:
        merged[-1][0] = merged[-1][0].rstrip()
    return tuple((text, font) for text, font in merged if text)


@lru_cache(maxsize=4096)
def wrap_link(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    """A link in a monospaced face: cut after the last «/» that fits when the rest then fits on the next line
    (the token whole, easier to type), else at any character (CSS word-break: break-all)."""
    per_line = max(1, int(width // _string_width("0", font, size)))
    lines = []
    while len(text) > per_line:
        cut = text.rfind("/", 0, per_line) + 1
        if cut <= 0 or len(text) - cut > per_line:
            cut = per_line
        lines.append(text[:cut])
        text = text[cut:]
    return (*lines, text)


@dataclass
class Text:
    """Lines of one size and shade, their first line box's top at `top` mm from the card's top."""

    left: float
    top: float
    size: float
    leading: float  # mm
    lines: tuple
    shade: float = BLACK
    align_right: float | None = None  # right edge, mm from the card's left, for right-aligned lines

    def bottom(self) -> float:
        return self.top + self.leading * len(self.lines)


def _normal(size: float) -> float:
    """A line of normal height, in mm."""
    return (ASCENT + DESCENT) * size / MM


def _paragraph(runs, size, width_mm, top, *, left=0.0, leading=None, shade=BLACK, right=None) -> Text:
    lead = (leading * size / MM) if leading else _normal(size)
    lines = wrap(tuple(runs), size, width_mm * MM)
    return Text(left, top, size, lead, lines, shade, right)


def card_layout(card, organisation_name: str, steps: Steps) -> tuple[list[Text], float, float]:
    """The texts of a card, the top of its QR code and the bottom of its last line (mm from the card's top)."""
    texts = []
    # .card-head: the organisation in a 60 mm column (7.5pt, #333), the class on the right (11pt bold)
    org = _paragraph([(organisation_name, SANS)], 7.5, 60.0, 0.0, shade=DARK)
    group = _paragraph([(card.group, BOLD)], 11.0, CARD_WIDTH - 60.0, 0.0, left=60.0, right=CARD_WIDTH)
    texts += [org, group]
    # .name: 13pt bold, 2.5 mm above and 1 mm below; a name over 28 characters 10pt, 1.5 mm above
    long_name = len(card.name) > 28
    name = _paragraph(
        [(card.name or " ", BOLD)], 10.0 if long_name else 13.0, CARD_WIDTH, max(org.bottom(), group.bottom())
    )
    name.top += 1.5 if long_name else 2.5
    role = _paragraph([(card.role, SANS)], 8.5, CARD_WIDTH, name.bottom() + 1.0, shade=DARK)
    texts += [name, role]
    # .body: the 40 mm code, the numbered steps 3 mm beside it (7 mm to the text), as tall as the taller of the two
    body_top = role.bottom() + 2.0
    top = body_top
    for number, line in enumerate(card.instructions, start=1):
        step = _paragraph([(line, SANS)], steps.size, CARD_WIDTH - STEPS_LEFT, top, leading=steps.leading)
        step.left = STEPS_LEFT
        hang = _string_width(f"{number}. ", SANS, steps.size) / MM
        texts += [step, Text(STEPS_LEFT - hang, top, steps.size, step.leading, (((f"{number}.", SANS),),))]
        top = step.bottom() + steps.gap
    body_bottom = max(body_top + QR_SIZE, top)
    # .link (8pt mono, 2 mm above), .expires (8pt, 1.5 mm above), .note (6.5pt #333, 0.5 mm above)
    link_lines = wrap_link(card.short_link, MONO, 8.0, CARD_WIDTH * MM)
    link = Text(0.0, body_bottom + 2.0, 8.0, _normal(8.0), tuple(((line, MONO),) for line in link_lines))
    expires = _paragraph([("Действует до ", SANS), (card.expires, BOLD)], 8.0, CARD_WIDTH, link.bottom() + 1.5)
    note = _paragraph([(card.note, SANS)], 6.5, CARD_WIDTH, expires.bottom() + 0.5, shade=DARK)
    texts += [link, expires, note]
    return texts, body_top, note.bottom()


def _draw_texts(pdf, texts: list[Text], left: float, top: float) -> None:
    """The texts as one PDF text object, the font and shade set only where they change: fewer operators to write
    than a text object per string."""
    out = pdf.beginText()
    shade = face = None
    for text in texts:
        if text.shade != shade:
            shade = text.shade
            out.setFillGray(shade)
        half_leading = (text.leading - _normal(text.size)) / 2
        baseline = top + text.top + half_leading + ASCENT * text.size / MM
        for line in text.lines:
            if text.align_right is not None:
                x = (left + text.align_right) * MM - sum(_string_width(s, f, text.size) for s, f in line)
            else:
                x = (left + text.left) * MM
            out.setTextOrigin(x, PAGE_HEIGHT - baseline * MM)
            for segment, font in line:
                if (font, text.size) != face:
                    face = (font, text.size)
                    out.setFont(font, text.size)
                out.textOut(segment)
            baseline += text.leading
    pdf.drawText(out)


def _draw_card(pdf, card, organisation_name: str, left: float, top: float) -> None:
    for steps in STEP_SETTINGS:
        texts, qr_top, bottom = card_layout(card, organisation_name, steps)
        if bottom <= CARD_LIMIT:
            break
    clipped = bottom > CARD_LIMIT  # still too long (a name or an organisation of hundreds of characters)
    if clipped:  # cut at the card's edge, as a printed card would be
        pdf.saveState()
        path = pdf.beginPath()
        path.rect((left - PADDING_X) * MM, PAGE_HEIGHT - (top - PADDING_Y + CELL_HEIGHT) * MM, CELL_WIDTH * MM,
                  CELL_HEIGHT * MM)  # fmt: skip
        pdf.clipPath(path, stroke=0, fill=0)
    from reportlab.lib.utils import ImageReader

    size = QR_SIZE * MM
    pdf.drawImage(ImageReader(qr_image(card.link)), left * MM, PAGE_HEIGHT - (top + qr_top) * MM - size, size, size)
    _draw_texts(pdf, texts, left, top)
    if clipped:
        pdf.restoreState()


def _draw_cut_lines(pdf, count: int) -> None:
    """The dashed lines around each place of the page (0.4 mm, dashes of 2 mm): each place's top and left line,
    the right line of the right column and the bottom line of the last row; an empty place's own lines pale."""
    pdf.setLineWidth(BORDER * MM)
    pdf.setDash(2 * MM, 2 * MM)
    rows = (count + 1) // 2
    for place in range(rows * 2):
        row, column = divmod(place, 2)
        x, y = MARGIN_LEFT + column * (CELL_WIDTH + BORDER), MARGIN_TOP + row * (CELL_HEIGHT + BORDER)
        empty = place >= count
        lines = [(x, y + BORDER / 2, x + CELL_WIDTH + 2 * BORDER, y + BORDER / 2, False)]  # top
        lines.append((x + BORDER / 2, y, x + BORDER / 2, y + CELL_HEIGHT + 2 * BORDER, False))  # left
        if column == 1:
            right = x + CELL_WIDTH + BORDER * 1.5
            lines.append((right, y, right, y + CELL_HEIGHT + 2 * BORDER, empty))
        if row == rows - 1:
            bottom = y + CELL_HEIGHT + BORDER * 1.5
            lines.append((x, bottom, x + CELL_WIDTH + 2 * BORDER, bottom, empty))
        for x1, y1, x2, y2, pale in lines:  # a line shared with a filled place keeps that place's shade
            pdf.setStrokeGray(EMPTY_GREY if pale else CUT_GREY)
            pdf.line(x1 * MM, PAGE_HEIGHT - y1 * MM, x2 * MM, PAGE_HEIGHT - y2 * MM)
    pdf.setDash()


def _draw_margins(pdf, header: str, printed: str, footer: str, page: int, pages: int) -> None:
    """The page's margins: what the kit is and when it was printed above, how to cut and the page number below,
    each centred in its margin (tops in mm from the page's top)."""
    width = PAGE_RIGHT - MARGIN_LEFT
    one_line = (MARGIN_TOP - _normal(8.0)) / 2
    printed_width = _string_width(printed, SANS, 8.0) / MM
    head = _paragraph([(header, SANS)], 8.0, width - printed_width - 4.0, 0.0, shade=GREY)
    head.top = (MARGIN_TOP - head.bottom()) / 2
    foot = _paragraph([(footer, SANS)], 7.0, width - 30.0, 0.0, shade=GREY)
    foot.top = FOOTER_TOP + (297 - FOOTER_TOP - foot.bottom()) / 2
    number = f"стр. {page} из {pages}"
    texts = [
        head,
        Text(0.0, one_line, 8.0, _normal(8.0), (((printed, SANS),),), GREY, align_right=width),
        foot,
        Text(0.0, FOOTER_TOP + one_line, 8.0, _normal(8.0), (((number, SANS),),), GREY, align_right=width),
    ]
    _draw_texts(pdf, texts, MARGIN_LEFT, 0.0)


def draw_kit(pages: list[list], *, organisation_name: str, title: str, header: str, printed: str) -> bytes:
    """The kit's PDF: `pages` of up to six cards each (invites.kits.Card), in order."""
    out = BytesIO()
    pdf = new_canvas(out, title=title)
    any_personal = any(card.personal for page in pages for card in page)
    footer = "Разрежьте лист по пунктирным линиям."
    if any_personal:
        footer += " Личные карточки отдайте только тем, кому они выписаны."
    for number, cards in enumerate(pages, start=1):
        _draw_cut_lines(pdf, len(cards))
        _draw_margins(pdf, header, printed, footer, number, len(pages))
        for place, card in enumerate(cards):
            row, column = divmod(place, 2)
            left = MARGIN_LEFT + BORDER + PADDING_X + column * (CELL_WIDTH + BORDER)
            top = MARGIN_TOP + BORDER + PADDING_Y + row * (CELL_HEIGHT + BORDER)
            _draw_card(pdf, card, organisation_name, left, top)
        pdf.showPage()
    pdf.save()
    return out.getvalue()
