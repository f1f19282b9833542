"""QR codes of the portal's links, for the printed documents (invite kits, regulations): SVG for pages and PDF,
PNG for DOCX and for the cards of invite kits. Made here, never fetched."""

import io

import segno


def _code(url: str):
    return segno.make(url, error="m", micro=False)


def qr_data_uri(url: str) -> str:
    """The link as an SVG QR code in a data: URI, for an <img> on a page or a card."""
    # A quiet zone of 4 modules keeps the code readable after cutting the card out.
    return _code(url).svg_data_uri(scale=1, border=4, omitsize=True)


def qr_png_data_uri(url: str) -> str:
    """The link as a PNG QR code in a data: URI, for a printed card: the PDF engine draws a picture several times
    faster than the SVG path of the same code, which counts for a kit of a whole school.

    One pixel a module (a ~300-byte picture): the page enlarges it to the card's 40 mm with
    `image-rendering: pixelated`, so every module prints as a sharp square, as a larger picture would, without
    the PDF engine re-compressing a hundred thousand pixels per card (it re-encodes every PNG it embeds)."""
    return _code(url).png_data_uri(scale=1, border=4)


def qr_png(url: str, *, scale: int = 8) -> bytes:
    """The link as a PNG QR code (black on white, quiet zone of 4 modules), for a DOCX picture."""
    out = io.BytesIO()
    _code(url).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
