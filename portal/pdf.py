"""PDF output of the portal: HTML to PDF through WeasyPrint for documents laid out as pages of text (monthly
reports, policies), and a PDF canvas (reportlab) for documents drawn card by card (invite kits), with the same
DejaVu fonts.

Nothing is fetched while printing: images come as data: URIs (HTML) or are drawn from memory (canvas), fonts are
the server's (DejaVu), and any other address in a document is refused, so a name typed by someone cannot make the
server reach the network or read its files."""

from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy

from portal.exceptions import PortalError


class PdfUnavailable(PortalError):
    """The PDF engine's system libraries or fonts are not installed on the server."""

    status = 503
    code = "pdf_unavailable"
    default_message = gettext_lazy(
        "Не удалось подготовить PDF: на сервере не установлены библиотеки для печати (Pango, HarfBuzz, "
        "шрифты DejaVu). Обратитесь к администратору сервера; ссылки можно выгрузить в CSV или XLSX."
    )


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: Pango or HarfBuzz cannot be loaded
        raise PdfUnavailable() from error
    return weasyprint


def html_to_pdf(html: str) -> bytes:
    """The PDF of a complete HTML document. Raises PdfUnavailable (HTTP 503) without the PDF libraries."""
    weasyprint = _weasyprint()
    # data: only — no http(s), no file: a refused address is skipped (and logged), the rest is printed.
    fetcher = weasyprint.URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=fetcher).write_pdf()


# ---- the canvas ----------------------------------------------------------------------------------------------

# The faces a canvas document uses, by the name it draws with: the files of Debian's fonts-dejavu-core (the same
# fonts WeasyPrint finds through fontconfig for "DejaVu Sans", so both kinds of document look alike).
CANVAS_FONTS = {
    "DejaVuSans": "DejaVuSans.ttf",
    "DejaVuSans-Bold": "DejaVuSans-Bold.ttf",
    "DejaVuSansMono": "DejaVuSansMono.ttf",
}
_registered: set[tuple[str, ...]] = set()  # the font folders whose files are registered in this process


def _font_file(name: str, folders: tuple[str, ...]) -> Path | None:
    for folder in folders:
        path = Path(folder) / name
        if path.is_file():
            return path
    return None


def canvas_fonts() -> None:
    """Register the DejaVu faces with reportlab once per process; PdfUnavailable (HTTP 503) without reportlab or
    without the font files (`PDF_FONT_DIRS`, Debian's fonts-dejavu-core by default)."""
    try:
        import reportlab.pdfgen.canvas  # noqa: F401 — the drawing module must load as well
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont
    except ImportError as error:
        raise PdfUnavailable() from error
    folders = tuple(settings.PDF_FONT_DIRS)
    if folders in _registered:
        return
    paths = {name: _font_file(file, folders) for name, file in CANVAS_FONTS.items()}
    if not all(paths.values()):
        raise PdfUnavailable()
    for name, path in paths.items():
        pdfmetrics.registerFont(TTFont(name, str(path)))
    _registered.add(folders)


def new_canvas(out, *, title: str):
    """A reportlab canvas writing an A4 document to `out` (a file-like object), its fonts registered."""
    canvas_fonts()
    from reportlab import rl_config
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    rl_config.useA85 = 0  # binary streams: ASCII85 makes pictures and fonts a quarter larger, for 7-bit channels
    pdf = Canvas(out, pagesize=A4, pageCompression=1, lang="ru", initialFontName="DejaVuSans")
    pdf.setTitle(title)
    pdf.setCreator("portal")
    return pdf


def pdfs_merge(parts: list[bytes]) -> bytes:
    """Several PDFs as one, their pages in the given order (a document printed in parts, one part per process)."""
    from io import BytesIO

    from pypdf import PdfWriter

    writer = PdfWriter()
    for part in parts:
        writer.append(BytesIO(part))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
