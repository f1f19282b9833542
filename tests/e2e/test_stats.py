"""The director opens «Статистика» from the navigation: the charts and the per-class table are there, the page is
clean for axe-core, and on a 360 px phone the class table scrolls inside its box, not the page. The municipality's
methodologist reaches their table from the start page."""

import pytest
from playwright.sync_api import expect

from stats.services.areas import area_get_or_create, methodologist_attach
from tests.factories import UserFactory
from tests.stats.filled import filled_organisation

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pass-Word-123"


def test_the_director_reads_the_dashboard(page, live_server, axe_check):
    filled = filled_organisation(3)
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
    page.set_viewport_size({"width": 360, "height": 740})
    expect(page.get_by_text("Таблицу можно прокрутить вбок →")).to_be_visible()
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], widths


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
