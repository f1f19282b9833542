"""The director opens «Статистика» from the navigation: the charts and the per-class table are there, the page is
clean for axe-core, the XLSX downloaded from its form holds a figure the page shows, and on a 360 px phone the
class table scrolls inside its box, not the page. Then the director asks for last month's report and downloads the
PDF, which names the organisation and a figure of the page. The municipality's methodologist reaches their table
from the start page."""

import io
import re
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from stats.days import local_day
from stats.services.areas import area_get_or_create, methodologist_attach
from stats.services.reports import month_name, previous_month
from tests.factories import UserFactory
from tests.invites.test_kits import pdf_text
from tests.stats.filled import filled_organisation

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pass-Word-123"


def test_the_director_reads_the_dashboard(page, live_server, axe_check):
    filled = filled_organisation(3, days=40)  # into last month: the monthly report needs its figures
    org, director = filled.organisation, filled.people["director"]
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Телефон или e-mail").fill(director.phone)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.goto(f"{live_server.url}/orgs/{org.pk}/")
    page.get_by_role("navigation", name="Разделы организации").get_by_role("link", name="Статистика").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Статистика использования портала")
    expect(page.get_by_role("img", name="Сообщения за день")).to_be_visible()
    table = page.get_by_role("region", name="Показатели по классам")
    expect(table.get_by_role("rowheader", name=filled.classes[0].name)).to_be_visible()
    expect(table.get_by_text("⚠ мало").first).to_be_visible()
    axe_check(page)
    # The workbook downloaded from the page's form holds the figures the page shows.
    joined = table.get_by_role("rowheader", name=filled.classes[0].name).locator("xpath=following-sibling::td[1]")
    shown = int(joined.inner_text().split()[0])
    export = page.get_by_role("region", name="Выгрузить показатели")
    export.get_by_label("XLSX (Excel): по дням и по классам").check()
    with page.expect_download() as download_info:
        export.get_by_role("button", name="Скачать файл").click()
    assert download_info.value.suggested_filename.endswith(f"-{filled.yesterday}.xlsx")
    sheet = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()))["По классам"]
    assert (filled.classes[0].name, shown) in {row[:2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    page.set_viewport_size({"width": 360, "height": 740})
    # The hint above the table of classes (every wide table has one now; this one is wider than a phone).
    hint = page.locator(".scroll-hint:has(+ .table-wrap .stats-classes)")
    expect(hint).to_have_text("Таблицу можно прокрутить вбок →")
    expect(hint).to_be_visible()
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths

    # ---- The monthly report (PDF): asked for on «Отчёты», built by the job (eager in tests), downloaded.
    students = page.locator(".stats-figure", has_text="Обучающиеся").get_by_text("зарегистрированных").inner_text()
    registered = re.search(r"из (\d+) зарегистрированных", students)[1]
    page.get_by_role("link", name="Отчёты за месяц (PDF)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Отчёты об использовании портала")
    axe_check(page)
    last_month = previous_month(local_day(timezone.now(), org.time_zone))
    month = month_name(last_month)
    page.get_by_label("Месяц").select_option(label=month.capitalize())
    page.get_by_role("button", name="Сформировать отчёт").click()
    expect(page.get_by_text(f"Отчёт за {month} готовится…")).to_be_visible()
    row = page.get_by_role("row", name=month.capitalize())
    expect(row.get_by_role("cell", name="Готов", exact=True)).to_be_visible()
    axe_check(page)
    with page.expect_download() as download_info:
        row.get_by_role("link", name=f"Скачать PDF за {month}").click()
    download = download_info.value
    assert download.suggested_filename == f"Отчёт {org.short_name} {last_month:%Y-%m}.pdf"
    words = pdf_text(Path(download.path()).read_bytes())
    assert org.short_name in words and f"Отчёт об использовании портала за {month}" in words
    assert f"из {registered} зарегистрированных" in words


def test_the_methodologist_reads_the_municipality(page, live_server, axe_check):
    """From the start page to the municipality's table, sorted by a column; no JavaScript needed for any of it."""
    first, second = filled_organisation(2), filled_organisation(2)
    organisation = first.organisation
    area = area_get_or_create(region=organisation.region, municipality=organisation.municipality)
    methodologist = UserFactory()
    methodologist_attach(area=area, user=methodologist)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Телефон или e-mail").fill(methodologist.phone)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.get_by_role("link", name=str(area)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Статистика муниципалитета")
    table = page.get_by_role("region", name="Организации муниципалитета")
    for filled in (first, second):
        expect(table.get_by_role("rowheader", name=filled.organisation.short_name)).to_be_visible()
    table.get_by_role("link", name="Обучающиеся: активны за неделю, %").click()
    header = page.get_by_role("columnheader", name="Обучающиеся: активны за неделю, %")
    expect(header).to_have_attribute("aria-sort", "descending")
    expect(table.get_by_text("Ниже цели: обучающиеся").first).to_be_visible()  # 113 of 400 is 28 %, below 30 %
    axe_check(page)
    page.set_viewport_size({"width": 360, "height": 740})
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths
