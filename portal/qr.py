"""QR codes of the portal's links, for the printed documents (invite kits, regulations): SVG for pages and PDF,
PNG for DOCX, a picture of one pixel a module for the cards of invite kits. Made here, never fetched."""

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


def qr_image(url: str) -> Image.Image:
    """The link as a QR code of one pixel a module (black on white, quiet zone of 4 modules, error correction M
    as the other codes), for a printed card: the PDF shows it enlarged to the card's 40 mm without interpolation,
    so every module prints as a sharp square, and the picture is a few hundred bytes. The code is made by zxing-cpp
    (C++, 0.4 ms) rather than segno (pure Python, 8 ms a code: too slow for a whole school's kits)."""
    pixels = memoryview(
        zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M").to_image(
            scale=1, add_quiet_zones=True
        )
    )
    height, width = pixels.shape
    return Image.frombytes("L", (width, height), pixels.tobytes())


def qr_png(url: str, *, scale: int = 8) -> bytes:
    """The link as a PNG QR code (black on white, quiet zone of 4 modules), for a DOCX picture."""
    out = io.BytesIO()
    _code(url).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
