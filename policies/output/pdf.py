"""A version of a regulation as PDF: the layout printed through the portal's one PDF engine (portal.pdf)."""

from django.template.loader import render_to_string

from portal.pdf import html_to_pdf
from portal.qr import qr_data_uri

from . import DRAFT_MARK, MARGINS, SIGN_LINE, Layout


def version_pdf(doc: Layout) -> bytes:
    """The PDF (A4) of a laid-out version. Raises portal.pdf.PdfUnavailable without the PDF libraries."""
    html = render_to_string(
        "policies/print/version.html",
        {"doc": doc, "margins": MARGINS, "draft_mark": DRAFT_MARK, "sign_line": SIGN_LINE, "qr": qr_data_uri(doc.url)},
    )
    return html_to_pdf(html)
