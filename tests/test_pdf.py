"""Printing to PDF loads nothing from outside the document: data: images print, any other address is refused
(a name typed by someone cannot make the server fetch a URL or read its own files into a PDF)."""

import logging

import pypdfium2
import segno

from portal.pdf import html_to_pdf


def test_only_data_addresses_are_loaded(caplog, tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body { background: #ff0000; }")
    qr = segno.make("https://example.org/join/x").svg_data_uri()
    html = (
        f'<html><head><link rel="stylesheet" href="file://{secret}"></head><body>'
        f'<img src="{qr}" style="width:60mm"><img src="http://127.0.0.1:9/x.png">Текст</body></html>'
    )
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = html_to_pdf(html)
    refused = [r.getMessage() for r in caplog.records if "disallowed protocol" in r.getMessage()]
    assert any(str(secret) in m for m in refused) and any("127.0.0.1:9" in m for m in refused)
    document = pypdfium2.PdfDocument(pdf)
    colours = dict((rgb, n) for n, rgb in document[0].render(scale=1).to_pil().getcolors(10**6))
    document.close()
    assert colours.get((0, 0, 0), 0) > 1000  # the QR code printed
    assert (255, 0, 0) not in colours  # the file's stylesheet did not
