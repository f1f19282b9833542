"""«Выгрузить показатели»: the XLSX and CSV of a period hold the API's figures, names typed by people cannot run
as formulas, the rights are the dashboard's, a wrong period is a 400 in Russian, and the cost does not grow with
the number of classes."""

import csv
import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook
from rest_framework.test import APIClient

from stats.exports import DAY_COLUMNS
from tests.factories import OrganisationFactory, admin_of, curator_of

from .filled import filled_organisation

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA = '=HYPERLINK("http://evil.example","Жми")'
WHO = ("admin", "director", "curator", "teacher", "student", "parent")
STATUS = {"admin": 200, "director": 200, "curator": 200, "teacher": 403, "student": 403, "parent": 403}


@pytest.fixture(scope="module")
def filled(django_db_setup, django_db_blocker):
    """One filled organisation for the module's read-only requests, built once inside a transaction rolled back
    when the module is done; its weak class is named like a formula."""
    with django_db_blocker.unblock(), transaction.atomic():
        filled = filled_organisation(3)
        weak = filled.classes[0]
        weak.name = FORMULA
        weak.save(update_fields=["name"])
        yield filled
        transaction.set_rollback(True)


def api(user, org, query=""):
    client = APIClient()
    # A user of its own, as each real request has: the rights read once per request are kept on the user instance.
    client.force_authenticate(type(user).objects.get(pk=user.pk))
    return client.get(f"/api/v1/orgs/{org.pk}/stats/export/{query}")


def browser(client, user, org, query=""):
    client.force_login(user)
    return client.get(f"/orgs/{org.pk}/stats/export/{query}")


def workbook(response):
    return load_workbook(io.BytesIO(response.content))


def csv_rows(response) -> list[list[str]]:
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_the_xlsx_holds_the_apis_figures_day_by_day(filled):
    org, last = filled.organisation, filled.yesterday
    first = last - timedelta(days=6)
    query = f"?from={first}&to={last}"
    response = api(filled.people["director"], org, query + "&file=xlsx")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert response["Content-Disposition"] == f'attachment; filename="statistika-{org.pk}-{first}-{last}.xlsx"'
    book = workbook(response)
    assert book.sheetnames == ["По дням", "По классам", "Сведения"]
    values = list(book["По дням"].values)
    assert values[0][:4] == (
        "Дата",
        "Педагоги и сотрудники: зарегистрированы",
        "Педагоги и сотрудники: активны за день",
        "Педагоги и сотрудники: активны за 7 дней",
    )
    headers = {header: key for key, header, _ in DAY_COLUMNS}
    days = APIClient()
    days.force_authenticate(filled.people["director"])
    expected = days.get(f"/api/v1/orgs/{org.pk}/stats/{query}").json()["results"]
    assert len(values) == 1 + len(expected) == 8
    for row, day in zip(values[1:], expected, strict=True):
        shown = {headers[h]: v for h, v in zip(values[0], row, strict=True)}
        assert shown.pop("day").date().isoformat() == day.pop("day")
        assert shown == {key: value for key, value in day.items() if value is not None}
    # Yesterday, as on the dashboard: 33 meaningful and 13 trivial messages, 33 of 40 staff active in the week.
    last_row = dict(zip(values[0], values[-1], strict=True))
    assert last_row["Сообщения: содержательные"] == 33 and last_row["Педагоги и сотрудники: активны за 7 дней"] == 33
    assert book["По дням"]["A2"].number_format == "DD.MM.YYYY" and book["По дням"]["B2"].data_type == "n"


def test_the_class_sheet_has_the_last_days_table_with_weak_spots_in_words(filled):
    last = filled.yesterday - timedelta(days=1)
    book = workbook(api(filled.people["admin"], filled.organisation, f"?to={last}"))
    rows = {row[0]: row[1:] for row in list(book["По классам"].values)[1:]}
    assert set(rows) == {c.name for c in filled.classes}
    weak, strong = rows[FORMULA], rows[filled.classes[1].name]
    assert weak[:8] == (10, 25, 40, 3, 30, "есть", "нет", 2)
    assert weak[8] == "не было за 90 дней"  # only trivial messages in all its history
    assert weak[9:] == (
        "не подтверждён",
        "мало вступивших, нет чата родителей, нет содержательных сообщений, куратор не подтверждён",
        "мало родителей на портале",
    )
    assert strong[:8] == (24, 25, 96, 20, 83, "есть", "есть", 15)
    assert strong[9:] == ("подтверждён", None, None)
    about = dict(list(book["Сведения"].values)[1:])
    assert about["Организация"] == filled.organisation.full_name and about["Что посчитано"] == "вся организация"
    assert about["Последний день периода"].date() == last


def test_a_formula_typed_as_a_class_name_stays_text(filled):
    org = filled.organisation
    response = api(filled.people["admin"], org)
    sheet = workbook(response)["По классам"]
    cell = next(row[0] for row in sheet.iter_rows(min_row=2) if row[0].value == FORMULA)
    assert cell.data_type == "s"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert not any("<f>" in archive.read(name).decode() for name in archive.namelist() if "worksheets" in name)
    rows = csv_rows(api(filled.people["admin"], org, "?file=csv&table=classes"))
    assert f"'{FORMULA}" in [row[0] for row in rows[1:]]


def test_the_csv_is_the_daily_table_with_bom_and_semicolons(filled, client):
    org, last = filled.organisation, filled.yesterday
    response = browser(client, filled.people["director"], org, f"?from={last}&to={last}&format=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="statistika-{org.pk}-{last}-{last}-days.csv"'
    rows = csv_rows(response)
    assert response.content.decode("utf-8-sig").splitlines()[0].startswith("Дата;Педагоги и сотрудники:")
    day = dict(zip(rows[0], rows[1], strict=True))
    assert day["Дата"] == f"{last:%d.%m.%Y}" and day["Сообщения: содержательные"] == "33"
    assert len(rows) == 2


@pytest.mark.parametrize("who", WHO)
def test_who_may_export_in_the_browser_and_the_api(filled, client, who):
    user, org = filled.people[who], filled.organisation
    assert browser(client, user, org).status_code == STATUS[who]
    response = api(user, org, "?file=csv")
    assert response.status_code == STATUS[who]
    if STATUS[who] == 403:
        assert response.json()["error"]["code"]


def test_the_curator_gets_only_their_class(filled, client):
    curator, org, own = filled.people["curator"], filled.organisation, filled.classes[0]
    for response in (browser(client, curator, org), api(curator, org)):
        book = workbook(response)
        assert [row[0] for row in list(book["По классам"].values)[1:]] == [own.name]
        headers = next(book["По дням"].values)
        assert "Обучающиеся: вступили" in headers and "Педагоги и сотрудники: активны за день" not in headers
        assert dict(list(book["Сведения"].values)[1:])["Что посчитано"] == f"классы классного руководителя: {own.name}"
    other = filled.classes[1]
    assert api(curator, org, f"?class={other.pk}").status_code == 403


def test_another_organisation_gets_404_and_the_anonymous_the_login_page(filled, client):
    stranger, org = admin_of(OrganisationFactory()), filled.organisation
    assert browser(client, stranger, org).status_code == 404
    assert api(stranger, org).status_code == 404
    client.logout()
    response = client.get(f"/orgs/{org.pk}/stats/export/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert APIClient().get(f"/api/v1/orgs/{org.pk}/stats/export/").status_code in (401, 403)


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("?from=вчера", "from", "ГГГГ-ММ-ДД"),
        ("?from=2026-10-02&to=2026-10-01", "from", "позже"),
        ("?from=2024-01-01&to=2026-01-01", "from", "366"),
        ("?to=0001-01-05", "to", "между 2000 и 2100"),
    ],
)
def test_a_bad_period_is_a_400_in_russian_beside_the_field(filled, client, query, field, words):
    response = api(filled.people["admin"], filled.organisation, query)
    assert response.status_code == 400
    error = response.json()["error"]
    assert words in error["message"] and field in error["fields"]
    page = browser(client, filled.people["admin"], filled.organisation, query + "&format=xlsx")
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert "Файл не выгружен: исправьте период." in html
    field_html = html.split(f'for="export-{field}"')[1].split("</div>")[0]
    assert words in field_html and 'aria-invalid="true"' in field_html


def test_a_wrong_file_format_is_a_400(filled, client):
    for query, field in (("?file=pdf", "file"), ("?table=people", "table")):
        response = api(filled.people["admin"], filled.organisation, query)
        assert response.status_code == 400 and field in response.json()["error"]["fields"]
    page = browser(client, filled.people["admin"], filled.organisation, "?format=pdf")
    assert page.status_code == 400 and "Выберите корректный вариант" in page.content.decode()


def test_the_dashboard_offers_the_form_with_its_period(filled, client):
    client.force_login(filled.people["director"])
    html = client.get(f"/orgs/{filled.organisation.pk}/stats/").content.decode()
    first = filled.yesterday - timedelta(days=29)
    assert f'action="/orgs/{filled.organisation.pk}/stats/export/"' in html
    assert '<label for="export-from">С даты:</label>' in html and '<label for="export-to">По дату:</label>' in html
    assert f'name="from" value="{first}"' in html and f'name="to" value="{filled.yesterday}"' in html
    assert re.search(r'<input type="radio" name="format" value="xlsx"[^>]* checked>', html)


def test_the_form_speaks_english_when_english_is_chosen(filled, client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(filled.people["director"])
    with translation.override(translation.get_language()):  # the middleware leaves English active for the thread
        html = client.get(f"/orgs/{filled.organisation.pk}/stats/").content.decode()
    form = html.split('id="export-title"')[1].split("</section>")[0]
    for words in ("Download the figures", "File format", "XLSX (Excel): by day and by class", "Download the file"):
        assert words in form


def queries(request) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert request().status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["admin", "curator"])
def test_the_cost_is_the_same_for_3_and_12_classes(client, who):
    small, large = filled_organisation(3, days=3), filled_organisation(12, days=3)
    for extra in large.classes[1:4]:
        curator_of(extra, large.people["curator"])
    counts = {}
    for name, f in (("warm-up", small), ("small", small), ("large", large)):  # the first warms caches up, uncounted
        client.force_login(f.people[who])
        counts[name] = (
            queries(lambda f=f: api(f.people[who], f.organisation, "?file=xlsx")),
            queries(lambda f=f: client.get(f"/orgs/{f.organisation.pk}/stats/export/?format=csv-classes")),
        )
    assert counts["small"] == counts["large"]
