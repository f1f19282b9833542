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
