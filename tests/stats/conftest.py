import hashlib

import pytest

from stats.services import report_jobs


@pytest.fixture
def fake_pdf(monkeypatch):
    """A stand-in for WeasyPrint: a different small «PDF» each call, the HTML still built from the figures."""
    made = []

    def render(html: str) -> bytes:
        made.append(html)
        return b"%PDF-1.7 stub " + str(len(made)).encode() + b" " + hashlib.sha256(html.encode()).hexdigest().encode()

    monkeypatch.setattr(report_jobs, "render_pdf", render)
    return made
