from datetime import date

import pytest

from invites.models import Invite
from orgs.models import Group, Placement
from roster.models import RosterEntry, RosterImport
from roster.planning import plan_build
from roster.services.imports import roster_import_create
from tests.factories import ClassFactory, OrganisationFactory, admin_of, student_in

from .helpers import csv_bytes, pupil, run_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    org = OrganisationFactory()
    cls = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    return org, cls, admin_of(org)


def test_students_become_entries_with_personal_and_parent_links(school):
    org, cls, admin = school
    data = csv_bytes(
        [
            pupil("Петров", "Пётр", "5А", parent="Петрова Анна Сергеевна", contact="+79001234567"),
            pupil("Сидорова", "Мария", "5 а", born="01.02.2000", email="masha@example.org"),
        ]
    )
    imp = run_import(org, admin, data)
    assert imp.status == RosterImport.Status.DONE
    entries = {e.last_name: e for e in RosterEntry.objects.filter(organisation=org)}
    assert set(entries) == {"Петров", "Сидорова"}
    assert entries["Петров"].is_minor and entries["Петров"].parent_invite.recipient_phone == "+79001234567"
    assert not entries["Сидорова"].is_minor and entries["Сидорова"].parent_invite is None
    assert Invite.objects.filter(organisation=org, target_group=cls).count() == 3
    assert imp.result["new"] == 2 and imp.result["parent_links"] == 1


def test_preview_writes_nothing_and_names_row_and_column(school):
    org, cls, admin = school
    data = csv_bytes([pupil("Петров", "Пётр", "5А"), pupil("Иванов", "Иван", "5 Г")])
    imp = roster_import_create(organisation=org, actor=admin, kind="students", file_name="a.csv", data=data)
    plan = plan_build(imp)
    assert [line.action for line in plan.lines] == ["new", "error"]
    assert plan.lines[1].messages() == ["Строка 3, столбец «Класс»: класс «5Г» не найден — создать?"]
    assert not RosterEntry.objects.exists() and not Invite.objects.filter(organisation=org).exists()


def test_same_file_twice_creates_nothing_new(school):
    org, cls, admin = school
    data = csv_bytes([pupil("Петров", "Пётр", "5А"), pupil("Котова", "Ольга", "5Б")])
    run_import(org, admin, data, classes=["5Б"])
    before = (RosterEntry.objects.count(), Invite.objects.count(), Group.objects.count())
    second = run_import(org, admin, data, classes=["5Б"])
    assert second.result["new"] == 0 and second.result["already"] == 2
    assert (RosterEntry.objects.count(), Invite.objects.count(), Group.objects.count()) == before


def test_joining_by_personal_link_takes_the_entry(school):
    from invites.services.redeem import invite_redeem
    from invites.tokens import decrypt
    from tests.factories import UserFactory

    org, cls, admin = school
    run_import(org, admin, csv_bytes([pupil("Петров", "Пётр", "5А")]))
    entry = RosterEntry.objects.get()
    kid = UserFactory(last_name="Петров", first_name="Пётр")
    invite_redeem(token=decrypt(entry.invite.token_encrypted), user=kid)
    entry.refresh_from_db()
    assert entry.user == kid
    assert Placement.objects.get(student=kid, valid_to__isnull=True).group == cls
    assert Invite.objects.get(pk=entry.parent_invite_id).bound_student == kid
    # The same file again: the pupil is already here, nobody new.
    again = run_import(org, admin, csv_bytes([pupil("Петров", "Пётр", "5А")]))
    assert again.result["already"] == 1 and RosterEntry.objects.count() == 1


def test_existing_student_in_other_class_is_moved(school):
    org, cls, admin = school
    other = ClassFactory(organisation=org, grade=6, letter="А", name="6А")
    kid = student_in(other)
    imp = run_import(org, admin, csv_bytes([pupil(kid.last_name, kid.first_name, "5А", patronymic=kid.patronymic)]))
    assert imp.result["moved"] == 1
    assert Placement.objects.get(student=kid, valid_to__isnull=True).group == cls


def test_minor_from_birth_date(school):
    org, cls, admin = school
    imp = roster_import_create(
        organisation=org,
        actor=admin,
        kind="students",
        file_name="a.csv",
        data=csv_bytes([pupil("А", "Б", "5А", born="10.05.2008"), pupil("В", "Г", "5А", born="11.05.2008")]),
    )
    lines = plan_build(imp, today=date(2026, 5, 10)).lines
    assert [line.is_minor for line in lines] == [False, True]


def test_every_row_error_names_row_and_column(school):
    org, cls, admin = school
    rows = [
        pupil("", "Иван", "5А"),  # 2: no surname
        pupil("Петров", "", "5А"),  # 3: no name
        pupil("Петров", "Пётр", ""),  # 4: no class
        pupil("Петров", "Павел", "пятый"),  # 5: not a class name
        pupil("Петров", "Прохор", "5А", born="31.02.2015"),  # 6: no such date
        pupil("Петров", "Пимен", "5А", born="01.01.2099"),  # 7: born in the future
        pupil("Петров", "Платон", "5А", email="не-почта"),  # 8
        pupil("Петров", "Порфирий", "5А", phone="12345"),  # 9
        pupil("Петров", "Потап", "5А", parent="Петрова А.", contact="звонить вечером"),  # 10
        pupil('=HYPERLINK("http://x")', "Иван", "5А"),  # 11: a formula for a name
        pupil("Петров", "Пётр", "9Я"),  # 12: class not found
    ]
    imp = roster_import_create(organisation=org, actor=admin, kind="students", file_name="a.csv", data=csv_bytes(rows))
    messages = {line.number: line.messages() for line in plan_build(imp).lines}
    assert messages[2] == ["Строка 2, столбец «Фамилия»: не заполнено."]
    assert messages[3] == ["Строка 3, столбец «Имя»: не заполнено."]
    assert messages[4] == ["Строка 4, столбец «Класс»: не заполнен."]
    assert messages[5] == ["Строка 5, столбец «Класс»: «пятый» — не похоже на название класса (например, «5А»)."]
    assert messages[6] == ["Строка 6, столбец «Дата рождения»: «31.02.2015» — нужна дата вида ДД.ММ.ГГГГ."]
    assert messages[7] == ["Строка 7, столбец «Дата рождения»: «01.01.2099» — такой даты рождения быть не может."]
    assert messages[8] == ["Строка 8, столбец «E-mail»: «не-почта» — адрес e-mail указан неверно."]
    assert messages[9][0].startswith("Строка 9, столбец «Телефон»: «12345» — ")
    assert messages[10] == [
        "Строка 10, столбец «Телефон или e-mail родителя»: «звонить вечером» — нужен телефон или адрес e-mail."
    ]
    assert messages[11][0].startswith("Строка 11, столбец «Фамилия»: «=HYPERLINK")
    assert messages[12] == ["Строка 12, столбец «Класс»: класс «9Я» не найден — создать?"]


def test_no_current_year_means_a_class_cannot_be_created(school):
    org, cls, admin = school
    org.academic_years.update(is_current=False)
    imp = roster_import_create(
        organisation=org, actor=admin, kind="students", file_name="a.csv", data=csv_bytes([pupil("А", "Б", "7В")])
    )
    assert "нет текущего учебного года" in plan_build(imp).lines[0].messages()[0]


def test_duplicates_in_the_file_and_against_the_database(school):
    org, cls, admin = school
    kid = student_in(cls)
    rows = [
        pupil("Петров", "Пётр", "5А"),
        pupil("петров", "Пётр", "5А"),  # the same person, written otherwise
        pupil(kid.last_name, kid.first_name, "5А", patronymic=kid.patronymic),
    ]
    imp = run_import(org, admin, csv_bytes(rows))
    assert imp.result["new"] == 1 and imp.result["duplicates"] == 1 and imp.result["already"] == 1
    assert imp.errors == [{"row": 3, "messages": ["Строка 3: повторяет строку 2 — пропущена."], "cells": rows[1]}]
    assert RosterEntry.objects.count() == 1


def test_classes_created_when_agreed_and_fixed_rows_used(school):
    from roster.services.imports import roster_import_fix_row

    org, cls, admin = school
    data = csv_bytes([pupil("Петров", "Пётр", "5 Г"), pupil("Котов", "Кот", "нет такого")])
    imp = roster_import_create(organisation=org, actor=admin, kind="students", file_name="a.csv", data=data)
    roster_import_fix_row(imp=imp, actor=admin, number=3, values={"group": "5А"})
    imp = run_import(org, admin, data, classes=["5 Г"])
    assert imp.result["classes_created"] == ["5Г"]
    assert Group.objects.filter(organisation=org, name="5Г").exists()


def test_a_crash_mid_job_leaves_nothing_and_a_rerun_applies_all(school, monkeypatch):
    from roster.services import apply

    org, cls, admin = school
    monkeypatch.setattr(apply, "CHUNK", 2)
    rows = [pupil(name, "Иван", "5Б") for name in ("Аба", "Баба", "Ваба", "Габа", "Даба")]
    calls = []
    real = apply.invites_create_personal

    def failing(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("сбой посреди загрузки")
        return real(**kwargs)

    monkeypatch.setattr(apply, "invites_create_personal", failing)
    imp = roster_import_create(organisation=org, actor=admin, kind="students", file_name="a.csv", data=csv_bytes(rows))
    from roster.services.imports import roster_import_allow_classes, roster_import_confirm

    roster_import_allow_classes(imp=imp, actor=admin, names=["5Б"])
    roster_import_confirm(imp=imp, actor=admin)
    with pytest.raises(RuntimeError):
        apply.roster_import_apply(imp.pk)
    imp.refresh_from_db()
    assert imp.status == RosterImport.Status.FAILED and "сбой" in imp.last_error
    assert not RosterEntry.objects.exists()
    assert not Invite.objects.filter(organisation=org).exists()
    assert not Group.objects.filter(organisation=org, name="5Б").exists()
    # Run again (the worker retries, or the administrator confirms again): everything, once.
    monkeypatch.setattr(apply, "invites_create_personal", real)
    roster_import_confirm(imp=imp, actor=admin)
    apply.roster_import_apply(imp.pk)
    apply.roster_import_apply(imp.pk)  # a duplicate delivery of the job changes nothing
    imp.refresh_from_db()
    assert imp.status == RosterImport.Status.DONE and imp.result["new"] == 5
    assert RosterEntry.objects.count() == 5 and Invite.objects.filter(organisation=org).count() == 10


def test_error_report_neutralises_formulas(school):
    import io

    from openpyxl import load_workbook

    from roster.report import error_report_xlsx

    org, cls, admin = school
    rows = [pupil("=cmd|' /C calc'!A0", "Иван", "5А"), pupil("Петров", "+79", "5А", email="@SUM(1)")]
    imp = run_import(org, admin, csv_bytes(rows + [pupil("Годный", "Иван", "5А")]))
    sheet = load_workbook(io.BytesIO(error_report_xlsx(imp, imp.errors))).active
    values = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    assert all(cell.data_type != "f" for cell in values)
    texts = [cell.value for cell in values if isinstance(cell.value, str)]
    assert "'=cmd|' /C calc'!A0" in texts and "'@SUM(1)" in texts
    assert not any(text.startswith(("=", "+", "@")) for text in texts)


def test_staff_become_entries_with_teacher_links(school):
    org, cls, admin = school
    headers = ["ФИО", "Должность", "Предметы", "Классы", "Классное руководство", "E-mail"]
    rows = [
        ["Смирнова Анна Петровна", "учитель", "Математика, Физика", "5А", "5А", "smirnova@example.org"],
        ["Козлов Игорь", "учитель", "История", "11Я", "", ""],
    ]
    imp = run_import(org, admin, csv_bytes(rows, headers=headers), kind="staff")
    entry = RosterEntry.objects.get(kind="staff")
    assert entry.full_name == "Смирнова Анна Петровна" and entry.invite.role == "teacher"
    assert entry.invite.recipient_email == "smirnova@example.org"
    assert imp.errors[0]["messages"] == [
        "Строка 3, столбец «Классы»: класс «11Я» не найден: сначала импортируйте обучающихся."
    ]


def _queries_to_apply(size: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from roster.services.apply import roster_import_apply
    from roster.services.imports import roster_import_confirm

    org = OrganisationFactory()
    ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    admin = admin_of(org)
    rows = [pupil(f"Ученик{'а' * (n % 7)}{'б' * (n // 7)}", "Иван", "5А") for n in range(size)]
    imp = roster_import_create(organisation=org, actor=admin, kind="students", file_name="a.csv", data=csv_bytes(rows))
    roster_import_confirm(imp=imp, actor=admin)
    with CaptureQueriesContext(connection) as queries:
        roster_import_apply(imp.pk)
    imp.refresh_from_db()
    assert imp.result["new"] == size and imp.result["links"] == 2 * size
    return len(queries)


def test_query_count_does_not_grow_with_the_file():
    """20 pupils or 400: per row no more queries (only the inserts split into batches, as the database needs)."""
    small, large = _queries_to_apply(20), _queries_to_apply(400)
    assert small <= 40
    assert large / 400 <= small / 20
    assert large <= 400 / 4  # a query for several rows at once, never one per row


def test_only_administrators_import(school):
    from portal.exceptions import PermissionDenied
    from tests.factories import teacher_of

    org, cls, admin = school
    with pytest.raises(PermissionDenied):
        roster_import_create(
            organisation=org, actor=teacher_of(org), kind="students", file_name="a.csv", data=csv_bytes([])
        )


def test_full_name_column_split_and_checked(school):
    org, cls, admin = school
    data = csv_bytes([["Петров Пётр Петрович", "5А"], ["Петров", "5А"], ["", "5А"]], headers=["ФИО", "Класс"])
    imp = roster_import_create(organisation=org, actor=admin, kind="students", file_name="a.csv", data=data)
    lines = plan_build(imp).lines
    assert lines[0].ok and lines[0].person["patronymic"] == "Петрович"
    assert lines[1].messages() == ["Строка 3, столбец «ФИО»: нужны хотя бы фамилия и имя."]
    assert lines[2].messages() == ["Строка 4, столбец «ФИО»: не заполнено."]


def test_staff_already_here_as_teachers_or_administrators(school):
    from tests.factories import teacher_of

    org, cls, admin = school
    teacher = teacher_of(org)
    rows = [[admin.full_name, "заместитель директора"], [teacher.full_name, "учитель"], ["Новикова Ирина Павловна", ""]]
    imp = run_import(org, admin, csv_bytes(rows, headers=["ФИО", "Должность"]), kind="staff")
    assert imp.result["already"] == 2 and imp.result["new"] == 1
    assert RosterEntry.objects.get(kind="staff").last_name == "Новикова"
