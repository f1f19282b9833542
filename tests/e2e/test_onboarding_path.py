"""The onboarding path of a new school, counted in page actions: from a freshly approved organisation to «every
class has its invites and kits» (and the letters sent where addresses exist), for a school of 40 classes.

A page action is a click, a form submit or a file choice; typing into a field is not counted (the login's two
fields are the only typing on this path). Goal: at most 20.
"""

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from invites.models import Invite
from orgs.models import Group
from orgs.services.registration import application_approve
from portal.accounts.models import User
from roster.models import RosterEntry
from tests.factories import UserFactory
from tests.invites.test_kits import decoded_links
from tests.roster.helpers import xlsx_bytes
from tests.school import application

pytestmark = pytest.mark.django_db(transaction=True)

GOAL = 20
PASSWORD = "pass-Word-123"
CLASSES = [f"{grade}{letter}" for grade in range(1, 11) for letter in "АБВГ"]  # 40 classes
STUDENT_HEADERS = ["Фамилия", "Имя", "Отчество", "Класс", "Дата рождения", "ФИО родителя", "Телефон родителя"]
STAFF_HEADERS = ["ФИО", "Должность", "Предметы", "Классы", "Классное руководство", "E-mail"]
SURNAMES = ["Абрамов", "Белов", "Волков", "Громов", "Дронов", "Ершов", "Жуков", "Зуев", "Ильин", "Котов"]
BOYS = ["Иван", "Пётр", "Олег", "Илья", "Артём", "Тимур", "Роман", "Лев"]
WOMEN = ["Анна", "Мария", "Ольга", "Елена"]


class Actions:
    """Every click, submit and file choice of the journey goes through here and is counted."""

    def __init__(self):
        self.count = 0
        self.log: list[str] = []

    def click(self, locator, what: str):
        self.count += 1
        self.log.append(what)
        locator.click()

    def choose_file(self, locator, path, what: str):
        self.count += 1
        self.log.append(what)
        locator.set_input_files(str(path))

    def select(self, locator, label: str, what: str):
        self.count += 1
        self.log.append(what)
        locator.select_option(label=label)


def _students_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(STUDENT_HEADERS)
    for n, name in enumerate(CLASSES):
        grade = int(name[:-1])
        for k in range(2):
            i = 2 * n + k  # 80 different pupils: 10 surnames × 8 names
            surname = SURNAMES[i % 10]
            writer.writerow(
                [surname, BOYS[i // 10], "Иванович", name, f"01.09.{date.today().year - grade - 7}",
                 f"{surname}а Мария Петровна", f"+7900{n:03d}{k:04d}"]
            )  # fmt: skip
    return out.getvalue().encode("cp1251")


def _staff_xlsx() -> bytes:
    rows = [
        [
            f"{SURNAMES[n % 10]}а {WOMEN[n // 10]} Петровна",
            "учитель",
            "Математика",
            name,
            name,
            f"teacher{n}@example.org",
        ]
        for n, name in enumerate(CLASSES)
    ]
    return xlsx_bytes(rows, headers=STAFF_HEADERS)


def test_a_new_school_of_40_classes_is_set_up_in_at_most_20_page_actions(page, live_server, tmp_path, capsys):
    base = live_server.url
    operator = UserFactory(is_staff=True, is_superuser=True)
    org = application_approve(application=application(short_name="Школа № 40"), actor=operator)
    admin = User.objects.get(phone="+79140000000")
    admin.set_password(PASSWORD)
    admin.save()
    students, staff = tmp_path / "ученики.csv", tmp_path / "сотрудники.xlsx"
    students.write_bytes(_students_csv())
    staff.write_bytes(_staff_xlsx())
    act = Actions()

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Телефон или e-mail").fill(admin.phone)
    page.get_by_label("Пароль").fill(PASSWORD)
    act.click(page.get_by_role("button", name="Войти"), "вход")

    # Students with their parents: the file names 40 classes the new school does not have yet.
    nav = page.get_by_role("navigation", name="Разделы организации")
    act.click(nav.get_by_role("link", name="Импорт контингента"), "раздел импорта")
    act.choose_file(page.get_by_label("Файл CSV или XLSX"), students, "файл обучающихся")
    act.click(page.get_by_role("button", name="Загрузить и посмотреть"), "загрузить")
    act.click(page.get_by_role("link", name="Добавить текущий учебный год"), "учебный год")
    act.click(page.get_by_role("button", name="Добавить"), "учебный год: добавить")
    act.click(page.get_by_role("button", name="Создать все классы из файла (40)"), "создать все классы")
    expect(page.locator("#total-errors")).to_have_text("0")
    act.click(page.get_by_role("button", name="Подтвердить загрузку"), "подтвердить")
    expect(page.get_by_text("Загрузка завершена.")).to_be_visible(timeout=60_000)
    expect(page.locator("#result-new")).to_have_text("80")

    # The kits are printed by a background job; waiting for its file is not an action, taking it is.
    act.click(page.get_by_role("button", name="Распечатать все комплекты"), "напечатать все комплекты классов")
    download_link = page.get_by_role("link", name="Скачать все комплекты (PDF)")
    expect(download_link).to_be_visible(timeout=120_000)
    with page.expect_download(timeout=60_000) as download:
        act.click(download_link, "скачать все комплекты")
    kit = Path(download.value.path()).read_bytes()

    # Staff: curators and subject teachers of the classes just made, each with an e-mail.
    act.click(nav.get_by_role("link", name="Импорт контингента"), "раздел импорта")
    act.select(page.get_by_label("Кого загружаете"), "сотрудники", "выбрать: сотрудники")
    act.choose_file(page.get_by_label("Файл CSV или XLSX"), staff, "файл сотрудников")
    act.click(page.get_by_role("button", name="Загрузить и посмотреть"), "загрузить")
    act.click(page.get_by_role("button", name="Подтвердить загрузку"), "подтвердить")
    expect(page.get_by_text("Загрузка завершена.")).to_be_visible(timeout=60_000)
    act.click(page.get_by_role("button", name="Разослать по e-mail (адресов: 40)"), "разослать сотрудникам")
    expect(page.get_by_text("Рассылка запущена: писем — 40.")).to_be_visible()

    with capsys.disabled():
        print(f"\nОнбординг школы на {len(CLASSES)} классов: действий на страницах — {act.count}: {', '.join(act.log)}")
    assert act.count <= GOAL, act.log

    # Every class has its personal links, the pupil's own and the parent's, and every one of them is in the kit.
    classes = Group.objects.filter(organisation=org, kind=Group.Kind.CLASS)
    assert sorted(classes.values_list("name", flat=True)) == sorted(CLASSES)
    for group in classes:
        assert Invite.objects.filter(target_group=group, status="active", role="student").count() == 2
        assert Invite.objects.filter(target_group=group, status="active", role="parent").count() == 2
    assert len(decoded_links(kit)) == 160
    assert RosterEntry.objects.filter(organisation=org, kind="staff").count() == 40
