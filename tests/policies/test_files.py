"""A version as PDF and DOCX: what the printed document says and where, that an approved version's file is made
once and never again, that a draft says «ПРОЕКТ», and who may download which."""

import datetime
import hashlib
import io
import re
import subprocess

import pypdfium2
import pytest
import zxingcpp
from django.urls import reverse
from docx import Document as WordDocument

from orgs.models import Membership
from policies.models import VersionFile
from policies.services.documents import version_create
from policies.services.workflow import version_approve
from tests.factories import admin_of, member

from .helpers import office
from .test_workflow import agreed

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MM = 72 / 25.4  # PDF points in a millimetre
FULL_NAME = "Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № 7»"


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page as pdftotext (poppler) reads it."""
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return [" ".join(page.decode().split()) for page in text.split(b"\f") if page.strip()]


def pdf_word_boxes(pdf: bytes) -> list[tuple[int, float, float]]:
    """(page, xMin, xMax) of every word, in points, as pdftotext -bbox places them."""
    html = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    boxes = []
    for page_number, page in enumerate(html.split("<page ")[1:], start=1):
        for x_min, x_max in re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', page):
            boxes.append((page_number, float(x_min), float(x_max)))
    return boxes


def qr_links(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    found = []
    for i in range(len(document)):
        image = document[i].render(scale=3).to_pil()
        found += [code.text for code in zxingcpp.read_barcodes(image) if code.format == zxingcpp.BarcodeFormat.QRCode]
    document.close()
    return found


def docx_text(content: bytes) -> str:
    """The body's paragraphs and tables, then the headers: everything a reader of the DOCX sees."""
    word = WordDocument(io.BytesIO(content))
    parts = [p.text for p in word.paragraphs]
    parts += [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    section = word.sections[0]
    parts += [p.text for header in (section.header, section.first_page_header) for p in header.paragraphs]
    return " ".join(" ".join(parts).split())


def version_url(o, version, fmt="") -> str:
    name = {"": "policies:version", "pdf": "policies:version_pdf", "docx": "policies:version_docx"}[fmt]
    return reverse(name, args=[o.org.pk, version.pk])


def api_url(o, version, fmt) -> str:
    return f"/api/v1/orgs/{o.org.pk}/policies/versions/{version.pk}/files/{fmt}/"


@pytest.fixture
def school():
    return office(full_name=FULL_NAME, short_name="МБОУ СОШ № 7")


def approved(o, kind="regulation", **approval):
    version = agreed(o, kind)
    return version_approve(version=version, actor=o.director, **({"method": "in_app"} | approval))


def test_the_pdf_is_a_document_with_stamps_clauses_page_numbers_and_the_qr_code_of_its_page(client, school):
    o = school
    version = approved(o)
    client.force_login(o.teacher)

    response = client.get(version_url(o, version, "pdf"))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    pdf = response.content
    pages = pdf_pages(pdf)
    first = pages[0]
    assert FULL_NAME in first
    director = f"{o.director.first_name[0]}.{o.director.patronymic[0]}. {o.director.last_name}"
    assert "УТВЕРЖДАЮ Директор МБОУ СОШ № 7" in first and director in first
    assert "СОГЛАСОВАНО" in first and "Протокол № 1 от 28.08.2026" in first
    assert "П О Л О Ж Е Н И Е" in first or "ПОЛОЖЕНИЕ" in first
    assert "Об использовании портала образовательной организации" in first
    assert "1. Общие положения" in first and "1.1. Положение является локальным нормативным актом" in first
    assert "ПРОЕКТ" not in " ".join(pages)
    # Page numbers from the second page on, at the top (ГОСТ Р 7.0.97-2016, п. 6.5).
    assert len(pages) >= 2
    assert not first.startswith("1 ")
    assert all(page.startswith(f"{n} ") for n, page in enumerate(pages[1:], start=2))
    # Margins: 20 mm left, 10 mm right, on an A4 page.
    document = pypdfium2.PdfDocument(pdf)
    assert [round(x) for x in document[0].get_size()] == [595, 842]
    document.close()
    boxes = pdf_word_boxes(pdf)
    assert min(x_min for _, x_min, _ in boxes) == pytest.approx(20 * MM, abs=1)
    assert max(x_max for _, _, x_max in boxes) <= 200 * MM + 0.5
    # The QR code opens the version's page in the portal.
    assert qr_links(pdf) == [f"http://testserver-portal{version_url(o, version)}"]


@pytest.fixture(autouse=True)
def portal_address(settings):
    settings.PORTAL_BASE_URL = "http://testserver-portal/"


def test_the_docx_says_the_same_with_the_gost_margins_and_page_numbers(client, school):
    o = school
    version = approved(o, method="order", order_number="45-од", order_date=datetime.date(2026, 8, 31))
    client.force_login(o.teacher)

    response = client.get(version_url(o, version, "docx"))

    assert response.status_code == 200 and response["Content-Type"] == DOCX
    text = docx_text(response.content)
    assert FULL_NAME in text
    assert "УТВЕРЖДЕНО приказом директора МБОУ СОШ № 7 от 31.08.2026 № 45-од" in text
    assert "СОГЛАСОВАНО Педагогический совет Протокол № 1 от 28.08.2026" in text
    assert "ПОЛОЖЕНИЕ" in text and "31.08.2026 № 45-од" in text
    assert "1.1. Положение является локальным нормативным актом" in text
    assert "ПРОЕКТ" not in text
    word = WordDocument(io.BytesIO(response.content))
    section = word.sections[0]
    margins = [section.left_margin, section.right_margin, section.top_margin, section.bottom_margin]
    assert [round(m.mm) for m in margins] == [20, 10, 20, 20]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    # The number at the top of every page but the first.
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml and "PAGE" not in section.first_page_header._element.xml
    assert "graphicData" in section.first_page_footer._element.xml  # the QR code at the foot of page 1


def test_an_approved_version_is_printed_once_and_never_again(client, school):
    o = school
    version = approved(o)
    client.force_login(o.admin)

    first = {fmt: client.get(version_url(o, version, fmt)) for fmt in ("pdf", "docx")}
    stored = {f.format: f for f in VersionFile.objects.filter(version=version)}
    assert set(stored) == {"pdf", "docx"}
    for fmt, response in first.items():
        assert stored[fmt].sha256 == hashlib.sha256(response.content).hexdigest()
        assert response["ETag"] == f'"{stored[fmt].sha256}"'

    # The organisation is renamed, its director changes name, the portal moves: the approved files stay.
    o.org.full_name, o.org.short_name = "Иное наименование", "Иная школа"
    o.org.save()
    o.director.last_name = "Переименованная"
    o.director.save()
    client.force_login(o.teacher)
    again = {fmt: client.get(version_url(o, version, fmt)) for fmt in ("pdf", "docx")}

    for fmt in ("pdf", "docx"):
        assert again[fmt].content == first[fmt].content
    assert "Иное наименование" not in " ".join(pdf_pages(again["pdf"].content))
    assert VersionFile.objects.filter(version=version).count() == 2
    # The version page shows both checksums.
    page = client.get(version_url(o, version)).content.decode()
    assert stored["pdf"].sha256 in page and stored["docx"].sha256 in page
    # A browser that has the file asks again and is told it has not changed.
    response = client.get(version_url(o, version, "pdf"), HTTP_IF_NONE_MATCH=first["pdf"]["ETag"])
    assert response.status_code == 304


def test_a_draft_says_project_and_is_kept_nowhere(client, school):
    o = school
    draft = version_create(organisation=o.org, kind="regulation", actor=o.admin)
    client.force_login(o.admin)

    pdf = client.get(version_url(o, draft, "pdf"))
    docx = client.get(version_url(o, draft, "docx"))

    pages = pdf_pages(pdf.content)
    assert all("ПРОЕКТ" in page for page in pages)  # the mark at the top of every page
    assert "«___» ____________ 20___ г." in pages[0]
    assert "ПРОЕКТ" in docx_text(docx.content)
    assert pdf["Cache-Control"] == "no-store" and "ETag" not in pdf
    assert not VersionFile.objects.exists()
    page = client.get(version_url(o, draft)).content.decode()
    assert "с отметкой «ПРОЕКТ»" in page and version_url(o, draft, "docx") in page


def test_an_order_ends_with_the_directors_signature(client, school):
    o = school
    order = version_create(organisation=o.org, kind="order", actor=o.admin)
    order = version_approve(
        version=order, actor=o.director, method="order", order_number="12", order_date=datetime.date(2026, 9, 1)
    )
    client.force_login(o.teacher)

    pages = pdf_pages(client.get(version_url(o, order, "pdf")).content)

    text = " ".join(pages)
    assert "П Р И К А З" in text or "ПРИКАЗ" in text
    assert "01.09.2026 № 12" in text and "ПРИКАЗЫВАЮ:" in text
    assert re.search(r"Директор _+ \w\.\w\. " + o.director.last_name, text)


def test_who_may_download_what(api, client, school):
    o = school
    in_force = approved(o)
    draft = version_create(organisation=o.org, kind="procedure", actor=o.admin)
    student = member(o.org, Membership.Role.STUDENT).user
    stranger = admin_of(office().org)

    api.force_authenticate(student)
    response = api.get(api_url(o, in_force, "pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert api.get(api_url(o, in_force, "docx"))["Content-Type"] == DOCX
    for fmt in ("pdf", "docx"):
        response = api.get(api_url(o, draft, fmt))
        assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    client.force_login(student)
    assert client.get(version_url(o, draft, "pdf")).status_code == 404
    assert client.get(version_url(o, in_force, "pdf")).status_code == 200

    api.force_authenticate(o.director)
    assert api.get(api_url(o, draft, "docx")).status_code == 200

    api.force_authenticate(stranger)
    for version in (in_force, draft):
        assert api.get(api_url(o, version, "pdf")).status_code == 404
    client.force_login(stranger)
    assert client.get(version_url(o, in_force, "pdf")).status_code == 404
    assert VersionFile.objects.filter(version=in_force).count() == 2  # only what the student downloaded


def test_a_lost_stored_file_is_reported_not_made_again(api, school):
    o = school
    version = approved(o)
    api.force_authenticate(o.teacher)
    assert api.get(api_url(o, version, "pdf")).status_code == 200
    stored = VersionFile.objects.get(version=version, format="pdf")
    stored.file.storage.delete(stored.file.name)

    response = api.get(api_url(o, version, "pdf"))

    assert response.status_code == 503 and response.json()["error"]["code"] == "version_file_missing"
    assert VersionFile.objects.get(version=version, format="pdf").sha256 == stored.sha256
