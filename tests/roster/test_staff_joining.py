"""A teacher of the imported staff list joins by their personal link: the row's details become theirs.

The SPEC keeps a teacher who joins unverified until an administrator confirms them, so the curatorship and a
leading position wait for that confirmation; the position and the classes taught are theirs at once.
"""

import pytest

from invites.services.redeem import invite_redeem
from invites.tokens import decrypt
from orgs.models import CuratorAssignment, Membership, TeachingAssignment
from orgs.services.membership import teacher_verify
from roster.models import RosterEntry
from roster.services.staff_joining import position_from_text
from tests.factories import ClassFactory, OrganisationFactory, UserFactory, admin_of

from .helpers import csv_bytes, run_import

pytestmark = pytest.mark.django_db(transaction=True)  # the confirmation is heard after commit

HEADERS = ["ФИО", "Должность", "Предметы", "Классы", "Классное руководство", "E-mail"]


@pytest.fixture
def school():
    org = OrganisationFactory()
    classes = {
        name: ClassFactory(organisation=org, grade=int(name[0]), letter=name[1:], name=name) for name in ("5А", "7Б")
    }
    return org, classes, admin_of(org)


def _join(org, admin, row):
    run_import(org, admin, csv_bytes([row], headers=HEADERS), kind="staff")
    entry = RosterEntry.objects.get(kind="staff")
    teacher = UserFactory(last_name=entry.last_name, first_name=entry.first_name)
    outcome = invite_redeem(token=decrypt(entry.invite.token_encrypted), user=teacher)
    assert outcome.kind == "joined"
    return teacher, Membership.objects.get(organisation=org, user=teacher, role="teacher", valid_to__isnull=True)


def _teaching(teacher):
    return sorted((t.group.name, t.subject) for t in TeachingAssignment.objects.filter(teacher=teacher, valid_to=None))


def test_teacher_gets_subjects_and_classes_at_once_and_the_class_on_confirmation(school):
    org, classes, admin = school
    row = ["Смирнова Анна Петровна", "учитель", "Математика, Физика", "5А, 7Б", "5А", "smirnova@example.org"]
    teacher, membership = _join(org, admin, row)

    # Unverified, as every teacher who joins: the administrator confirms the person who came by the link.
    assert membership.verification == Membership.Verification.PENDING
    assert membership.position == Membership.Position.TEACHER
    assert _teaching(teacher) == [("5А", "Математика"), ("5А", "Физика"), ("7Б", "Математика"), ("7Б", "Физика")]
    assert not CuratorAssignment.objects.filter(teacher=teacher).exists()
    assert not teacher.has_perm("orgs.approve_group_joins", classes["5А"])

    teacher_verify(membership=membership, actor=admin)
    curatorship = CuratorAssignment.objects.get(teacher=teacher, valid_to=None)
    assert curatorship.group == classes["5А"]
    teacher = type(teacher).objects.get(pk=teacher.pk)
    assert teacher.has_perm("orgs.approve_group_joins", classes["5А"])


def test_leading_position_waits_for_confirmation(school):
    org, classes, admin = school
    teacher, membership = _join(org, admin, ["Орлова Вера Ивановна", "Заместитель директора по УВР", "", "", "", ""])
    membership.refresh_from_db()
    assert membership.position == Membership.Position.TEACHER
    assert not teacher.has_perm("orgs.view_statistics", org)

    teacher_verify(membership=membership, actor=admin)
    membership.refresh_from_db()
    assert membership.position == Membership.Position.DEPUTY


def test_psychologist_position_and_an_archived_class_do_not_stop_the_joining(school):
    from orgs.services.structure import group_archive

    org, classes, admin = school
    run_import(
        org,
        admin,
        csv_bytes([["Яковлева Елена Борисовна", "педагог-психолог", "Психология", "7Б", "", ""]], headers=HEADERS),
        kind="staff",
    )
    group_archive(group=classes["7Б"], actor=admin)
    entry = RosterEntry.objects.get(kind="staff")
    teacher = UserFactory()
    assert invite_redeem(token=decrypt(entry.invite.token_encrypted), user=teacher).kind == "joined"
    membership = Membership.objects.get(organisation=org, user=teacher, role="teacher")
    assert membership.position == Membership.Position.PSYCHOLOGIST
    assert _teaching(teacher) == []
    entry.refresh_from_db()
    assert entry.user == teacher


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("учитель", "teacher"),
        ("Преподаватель", "teacher"),
        ("директор", "director"),
        ("зам. директора по ВР", "deputy"),
        ("социальный педагог", "social"),
        ("библиотекарь", "other"),
        ("", ""),
    ],
)
def test_position_words(text, position):
    assert position_from_text(text) == position
