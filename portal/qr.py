"""QR codes of the portal's links, for the printed documents (invite kits, regulations): SVG for pages and PDF,
PNG for DOCX and for the cards of invite kits. Made here, never fetched."""

import base64
import io

import segno
import zxingcpp
from PIL import Image


def _code(url: str):
    return segno.make(url, error="m", micro=False)


def qr_data_uri(url: str) -> str:
    """The link as an SVG QR code in a data: URI, for an <img> on a page or a card."""
    # A quiet zone of 4 modules keeps the code readable after cutting the card out.
    return _code(url).svg_data_uri(scale=1, border=4, omitsize=True)


def qr_png_data_uri(url: str) -> str:
    """The link as a PNG QR code in a data: URI, for a printed card: the PDF engine draws a picture several times
    faster than the SVG path of the same code, which counts for a kit of a whole school.

    One pixel a module (a ~300-byte picture, quiet zone of 4 modules, error correction M as the other codes): the
    page enlarges it to the card's 40 mm with `image-rendering: pixelated`, so every module prints as a sharp
    square, without the PDF engine re-compressing a hundred thousand pixels per card. The code is made by
    zxing-cpp (C++, 0.4 ms) rather than segno (pure Python, 8 ms: a third of a class kit's time went on choosing
    the codes' masks)."""
    pixels = memoryview(
        zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M").to_image(
            scale=1, add_quiet_zones=True
        )
    )
    height, width = pixels.shape
    out = io.BytesIO()
    Image.frombytes("L", (width, height), pixels.tobytes()).save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def qr_png(url: str, *, scale: int = 8) -> bytes:
    """The link as a PNG QR code (black on white, quiet zone of 4 modules), for a DOCX picture."""
    out = io.BytesIO()
    _code(url).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
