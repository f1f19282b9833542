"""HTML to PDF through WeasyPrint, for every printable document of the portal (invite kits, monthly reports).

Nothing is fetched while printing: images come as data: URIs, fonts are the server's (DejaVu), and any other
address in a document is refused, so a name typed by someone cannot make the server reach the network or read
its files."""

from django.conf import settings
from django.utils.translation import gettext_lazy

from portal.exceptions import PortalError


class PdfUnavailable(PortalError):
    """The PDF engine's system libraries are not installed on the server."""

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
