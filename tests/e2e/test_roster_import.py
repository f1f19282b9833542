"""The administrator imports a class list from the e-journal's XLSX, fixes a row in the preview, confirms and prints
the class's kit from the links the import made."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from invites.services import links
from roster.models import RosterEntry
from tests.factories import ClassFactory, OrganisationFactory, admin_of
from tests.invites.test_kits import decoded_links, pdf_pages
from tests.roster.helpers import pupil, xlsx_bytes

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pass-Word-123"


def test_administrator_imports_students_fixes_a_row_and_prints_the_kit(page, live_server, axe_check, tmp_path):
    base = live_server.url
    org = OrganisationFactory(short_name="Школа № 9")
    cls = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    admin = admin_of(org)
    file = tmp_path / "5А.xlsx"
    file.write_bytes(
        xlsx_bytes(
            [
                pupil("Петров", "Пётр", "5А", parent="Петрова Анна Сергеевна", contact="+79001234567"),
                pupil("Котова", "Ольга", "5Г"),  # a class the school does not have: a typo, fixed in the preview
                pupil("Лисин", "Лев", "5А", born="31.02.2015"),  # a date that does not exist: left out
            ]
        )
    )

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Телефон или e-mail").fill(admin.phone)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()

    page.goto(f"{base}/orgs/{org.pk}/")
    page.get_by_role("link", name="Импорт контингента").click()
    expect(page.get_by_role("heading", name="Импорт контингента")).to_be_visible()
    axe_check(page)
    page.get_by_label("Файл CSV или XLSX").set_input_files(str(file))
    page.get_by_role("button", name="Загрузить и посмотреть").click()

    # The preview: nothing is written yet; two rows have errors, each named by row and column.
    expect(page.get_by_text("Строка 3, столбец «Класс»: класс «5Г» не найден — создать?")).to_be_visible()
    expect(page.get_by_text("Строка 4, столбец «Дата рождения»")).to_be_visible()
    expect(page.locator("#total-errors")).to_have_text("2")
    axe_check(page)
    assert not RosterEntry.objects.exists()

    page.get_by_role("link", name="Исправить строку 3").click()
    axe_check(page)
    page.get_by_label("Класс").fill("5А")
    page.get_by_role("button", name="Сохранить строку").click()
    expect(page.get_by_text("Строка 3 исправлена.")).to_be_visible()
    expect(page.locator("#total-errors")).to_have_text("1")
    expect(page.locator("#total-accepted")).to_have_text("2")

    page.get_by_role("button", name="Подтвердить загрузку").click()
    expect(page.get_by_text("Загрузка завершена.")).to_be_visible()
    expect(page.locator("#result-new")).to_have_text("2")
    expect(page.get_by_text("Строка 4, столбец «Дата рождения»")).to_be_visible()
    axe_check(page)
    entries = list(RosterEntry.objects.filter(organisation=org).select_related("invite", "parent_invite"))
    assert sorted(e.last_name for e in entries) == ["Котова", "Петров"]

    # The class's kit: one card per link the import made (each pupil's own and the parent's).
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Распечатать приглашения класса 5А").click()
    pdf = Path(download_info.value.path()).read_bytes()
    made = {links.invite_url(e.invite) for e in entries} | {links.invite_url(e.parent_invite) for e in entries}
    assert set(decoded_links(pdf)) == made and len(made) == 4
    assert cls.invites.count() == 4


def test_all_kits_are_printed_in_the_background_with_their_progress(page, live_server, axe_check, monkeypatch):
    """«Распечатать все комплекты»: the page counts the classes printed, then offers the file, by itself."""
    from roster.models import KitPrint
    from roster.services import kits as kit_jobs
    from tests.roster.helpers import csv_bytes, run_import

    base = live_server.url
    org = OrganisationFactory(short_name="Школа № 10")
    ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    ClassFactory(organisation=org, grade=6, letter="Б", name="6Б")
    admin = admin_of(org)
    imp = run_import(org, admin, csv_bytes([pupil("Петров", "Пётр", "5А"), pupil("Котова", "Ольга", "6Б")]))
    # The job waits here, as it would in the broker, until the test lets the worker take it.
    held = []
    monkeypatch.setattr(kit_jobs, "queue_after_commit", lambda task, *args: held.append((task, args)))

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Телефон или e-mail").fill(admin.phone)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    page.goto(f"{base}/orgs/{org.pk}/roster/{imp.pk}/")
    page.get_by_role("button", name="Распечатать все комплекты").click()
    expect(page.get_by_role("status").filter(has_text="Готово классов: 0 из 2")).to_be_visible()
    axe_check(page)
    page.goto(page.url)  # a second click is not offered while the job runs
    expect(page.get_by_role("button", name="Распечатать все комплекты")).to_have_count(0)

    while held:  # the worker: the job, its classes, then the putting together
        task, args = held.pop(0)
        task.apply(args)
    assert KitPrint.objects.get(source=imp).status == "done"
    download_link = page.get_by_role("link", name="Скачать все комплекты (PDF)")
    expect(download_link).to_be_visible(timeout=10_000)  # the page reloads by itself
    axe_check(page)
    with page.expect_download() as download_info:
        download_link.click()
    # Each young pupil's own link and the parent's; each class on a page of its own.
    pdf = Path(download_info.value.path()).read_bytes()
    assert len(set(decoded_links(pdf))) == 4 and len(pdf_pages(pdf)[1]) == 2
