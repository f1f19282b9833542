import csv
import io
import sys
import zipfile
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pypdfium2
import pytest
import zxingcpp
from django.utils import timezone
from openpyxl import load_workbook

from invites.exports import export_rows, invites_csv, invites_xlsx
from invites.kits import kit_pdf
from invites.selectors import invites_for_user
from invites.services import links
from portal.pdf import PdfUnavailable
from tests.factories import ClassFactory, OrganisationFactory, UserFactory, admin_of, student_in

pytestmark = pytest.mark.django_db

NAMES = ["Абрамова Алиса", "Белов Борис", "Васильева Вера", "Григорьев Глеб", "Дмитриева Дарья"]


@pytest.fixture
def org():
    return OrganisationFactory(short_name="Школа № 7", time_zone="Asia/Irkutsk")


@pytest.fixture
def cls(org):
    return ClassFactory(organisation=org, grade=5, letter="А", name="5А")


@pytest.fixture
def admin(org):
    return admin_of(org)


# Noon UTC is 20:00 in Irkutsk: the kit must show the local time, not UTC.
EXPIRES = datetime(2026, 3, 10, 12, 0, tzinfo=ZoneInfo("UTC"))


@pytest.fixture
def frozen_now(monkeypatch):
    now = EXPIRES - timedelta(days=5)
    monkeypatch.setattr(timezone, "now", lambda: now)
    return now


def student_invites(org, cls, admin, names=NAMES):
    return [
        links.invite_create(
            organisation=org, actor=admin, role="student", target_group=cls, recipient_name=name, expires_at=EXPIRES
        )
        for name in names
    ]


def pdf_pages(pdf: bytes):
    document = pypdfium2.PdfDocument(pdf)
    pages = [document[i] for i in range(len(document))]
    return document, pages


def decoded_links(pdf: bytes) -> list[str]:
    document, pages = pdf_pages(pdf)
    found = []
    for page in pages:
        image = page.render(scale=2).to_pil()  # 144 dpi
        found += [code.text for code in zxingcpp.read_barcodes(image) if code.format == zxingcpp.BarcodeFormat.QRCode]
    document.close()
    return found


def pdf_text(pdf: bytes) -> str:
    document, pages = pdf_pages(pdf)
    text = " ".join(page.get_textpage().get_text_range() for page in pages)
    document.close()
    return " ".join(text.split())


def test_class_kit_has_one_qr_code_per_student_that_decodes_to_their_link(org, cls, admin, frozen_now):
    pairs = student_invites(org, cls, admin)
    pdf = kit_pdf(pairs, org, cls)

    assert pdf.startswith(b"%PDF")
    expected = sorted(links.invite_url(invite) for invite, _ in pairs)
    assert sorted(decoded_links(pdf)) == expected
    text = pdf_text(pdf)
    for name in NAMES:
        assert name in text
    assert "5А" in text
    assert "10.03.2026 20:00" in text  # the expiry in Irkutsk time
    assert "Откройте камеру телефона" in text
    assert "стр. 1 из 1" in text


def test_kit_accepts_invites_alone_and_links_and_takes_six_cards_a_page(org, cls, admin, frozen_now):
    names = [f"Ученик {n}" for n in range(8)]
    pairs = student_invites(org, cls, admin, names)
    items = [pairs[0][0]] + [(invite, links.invite_url(invite)) for invite, _ in pairs[1:4]] + pairs[4:]

    pdf = kit_pdf(items, org, cls)

    document, pages = pdf_pages(pdf)
    assert len(pages) == 2
    document.close()
    assert sorted(decoded_links(pdf)) == sorted(links.invite_url(invite) for invite, _ in pairs)
    # The printed short link is the link without its scheme, readable to type in by hand.
    assert links.invite_url(pairs[0][0]).split("://")[1] in pdf_text(pdf)


MM = 72 / 25.4  # PDF points in a millimetre


def _first_char_box(textpage, text: str):
    """(left, bottom, right, top) of the first character of `text` on the page, in points (y grows upwards)."""
    found = textpage.search(text).get_next()
    assert found, f"{text!r} is not on the page"
    return textpage.get_charbox(found[0])


def test_card_has_a_sharp_40_mm_qr_code_beside_the_steps_and_the_link_under_both(org, cls, admin, frozen_now):
    names = [f"Ученик {n}" for n in range(6)]
    pairs = student_invites(org, cls, admin, names)

    document, (page,) = pdf_pages(kit_pdf(pairs, org, cls))

    codes = list(page.get_objects(filter=[pypdfium2.raw.FPDF_PAGEOBJ_IMAGE]))
    assert len(codes) == 6  # a QR code on each of the six cards of the page
    left, bottom, right, top = codes[0].get_bounds()  # the first card, top left
    assert right - left == pytest.approx(40 * MM, abs=0.5)
    assert top - bottom == pytest.approx(40 * MM, abs=0.5)
    text = page.get_textpage()
    step = _first_char_box(text, "Откройте камеру")
    assert step[0] >= right + 3 * MM  # the steps start 3 mm right of the code …
    assert bottom < step[3] <= top  # … level with its top
    last_step = _first_char_box(text, "SMS")
    link = _first_char_box(text, links.invite_url(pairs[0][0]).split("://")[1])
    assert link[3] < bottom - 1.5 * MM  # the link is printed under the code …
    assert link[3] < last_step[1] - 4.5 * MM  # … and under the last step, the spacing of both kept (2 + 2 mm)
    # Every module a sharp square: at 300 dpi the code is black and white, with no blurred grey edges.
    scale = 300 / 72
    height = page.get_height()
    picture = page.render(scale=scale).to_pil().convert("L")
    code = picture.crop(
        (round(left * scale) + 2, round((height - top) * scale) + 2)
        + (round(right * scale) - 2, round((height - bottom) * scale) - 2)
    )
    histogram = code.histogram()
    assert sum(histogram[48:208]) / sum(histogram) < 0.01
    document.close()
    assert sorted(decoded_links(kit_pdf(pairs, org, cls))) == sorted(links.invite_url(i) for i, _ in pairs)


def test_a_full_parent_card_keeps_its_expiry_and_note_inside_its_cut_lines(org, cls, admin, frozen_now, settings):
    # The fullest card of a school's kit: a two-line name, a two-line role naming the child, four-line steps and a
    # link of two lines. Its last lines must print above the dashed line, not be cut off with the paper.
    settings.PORTAL_BASE_URL = "https://portal.sosh-17.obrazovanie-irkutsk.ru"
    child = student_in(
        cls, UserFactory(last_name="Константинопольская", first_name="Александра", patronymic="Владиславовна")
    )
    invite, token = links.invite_create(
        organisation=org,
        actor=admin,
        role="parent",
        target_group=cls,
        bound_student=child,
        recipient_name="Константинопольская Валентина Александровна",
        expires_at=EXPIRES,
    )

    document, (page,) = pdf_pages(kit_pdf([(invite, token)], org, cls))

    text = page.get_textpage()
    cut_line = page.get_height() - (12 + 0.4 + 89) * MM  # the bottom dashed line of the first row
    expires = _first_char_box(text, "Действует до")
    note = _first_char_box(text, "Личная ссылка")
    assert note[1] > cut_line + 1 * MM  # the note's lowest ink is above the cut …
    assert expires[1] > note[3]  # … under the expiry
    assert "10.03.2026 20:00" in pdf_text(kit_pdf([(invite, token)], org, cls))
    document.close()


def test_parent_card_names_the_child_and_warns_off_the_childs_phone(org, cls, admin, frozen_now):
    child = student_in(cls)
    invite, token = links.invite_create(
        organisation=org, actor=admin, role="parent", target_group=cls, bound_student=child, expires_at=EXPIRES
    )

    text = pdf_text(kit_pdf([(invite, token)], org, cls))

    assert child.full_name in text
    assert "Родителям" in text
    assert "не ребёнка" in text


@pytest.mark.parametrize("missing", ["library", "fonts"])
def test_kit_without_pdf_libraries_says_so_in_russian(org, cls, admin, frozen_now, monkeypatch, settings, missing):
    pairs = student_invites(org, cls, admin, NAMES[:1])
    if missing == "library":
        monkeypatch.setitem(sys.modules, "reportlab.pdfgen.canvas", None)  # as if reportlab could not be loaded
    else:
        settings.PDF_FONT_DIRS = ["/nonexistent/fonts"]  # a server without fonts-dejavu-core

    with pytest.raises(PdfUnavailable) as caught:
        kit_pdf(pairs, org, cls)

    assert caught.value.status == 503
    assert "не установлены библиотеки" in caught.value.message


def test_csv_export_opens_in_excel_with_cyrillic_and_local_times(
    org, cls, admin, frozen_now, django_assert_num_queries
):
    pairs = student_invites(org, cls, admin, NAMES[:2])
    links.invite_revoke(invite=pairs[1][0], actor=admin)
    student_invites(org, ClassFactory(organisation=org, name="6Б"), admin, ["Из другого класса"])

    invites = invites_for_user(admin, org).filter(target_group=cls).order_by("recipient_name")
    with django_assert_num_queries(1):  # the list itself; rows need no query per invite
        rows = export_rows(invites, org)
    data = invites_csv(rows)

    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["ФИО", "Класс", "Роль", "Ссылка", "Действует до (время: Иркутск (UTC+8))", "Статус"]
    assert rows[1] == ["Абрамова Алиса", "5А", "Ученик", links.invite_url(pairs[0][0]), "10.03.2026 20:00", "действует"]
    assert rows[2][0] == "Белов Борис" and rows[2][5] == "отозвана"
    assert len(rows) == 3


def test_expired_link_is_exported_as_expired_before_any_job_ran(org, cls, admin, frozen_now, monkeypatch):
    pairs = student_invites(org, cls, admin, NAMES[:1])
    monkeypatch.setattr(timezone, "now", lambda: EXPIRES + timedelta(minutes=1))

    rows = list(csv.reader(io.StringIO(invites_csv(pairs, org).decode("utf-8-sig")), delimiter=";"))

    assert rows[1][5] == "истекла"


def test_xlsx_export_has_the_same_rows_with_a_real_date(org, cls, admin, frozen_now):
    pairs = student_invites(org, cls, admin, NAMES[:3])

    sheet = load_workbook(io.BytesIO(invites_xlsx(export_rows(pairs, org)))).active

    values = list(sheet.values)
    assert sheet.title == "Приглашения"
    assert values[0][:4] == ("ФИО", "Класс", "Роль", "Ссылка")
    assert [row[0] for row in values[1:]] == NAMES[:3]
    assert values[1][1:4] == ("5А", "Ученик", links.invite_url(pairs[0][0]))
    assert values[1][4] == datetime(2026, 3, 10, 20, 0)
    assert values[1][5] == "действует"


FORMULAS = ['=HYPERLINK("http://evil.example","Жми")', "+7(999)", "-1+2", "@SUM(A1)"]


def test_formula_injection_is_neutralised_in_csv_and_xlsx(org, cls, admin, frozen_now):
    pairs = student_invites(org, cls, admin, FORMULAS)

    rows = list(csv.reader(io.StringIO(invites_csv(pairs, org).decode("utf-8-sig")), delimiter=";"))
    assert [row[0] for row in rows[1:]] == [f"'{name}" for name in FORMULAS]

    data = invites_xlsx(pairs, org)
    sheet = load_workbook(io.BytesIO(data)).active
    names = [sheet.cell(row=n, column=1) for n in range(2, 2 + len(FORMULAS))]
    assert [cell.value for cell in names] == FORMULAS  # kept as typed …
    assert {cell.data_type for cell in names} == {"s"}  # … but as text
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()


def test_expiry_is_shown_in_the_organisations_time_zone_not_moscow(cls, admin, frozen_now):
    org = cls.organisation
    org.time_zone = "Europe/Moscow"
    org.save()
    pairs = student_invites(org, cls, admin, NAMES[:1])

    rows = list(csv.reader(io.StringIO(invites_csv(pairs, org).decode("utf-8-sig")), delimiter=";"))

    assert rows[1][4] == "10.03.2026 15:00"
