"""The year-end promotion of a scripted school: grades move, graduates leave with history, chats follow, and the
same promotion run again changes nothing."""

import pytest

from chats.models import Chat, ChatMember
from chats.services.sync import chats_sync_organisation
from invites.models import Invite
from invites.services.links import invite_create
from orgs.models import AcademicYear, AuditEntry, Group, Membership, Placement
from orgs.movement_models import Movement, Promotion
from orgs.services.promotion import promotion_confirm, promotion_preview
from orgs.services.promotion_job import promotion_run
from portal.exceptions import PermissionDenied, RuleViolation
from tests.factories import (
    AcademicYearFactory,
    ClassFactory,
    OrganisationFactory,
    admin_of,
    curator_of,
    parent_of,
    student_in,
    teacher_of,
    teaches,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def live(django_capture_on_commit_callbacks):
    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


class ScriptedSchool:
    """5А, 5Б, 9А and 11А of 2026/2027, each with a curator and two pupils; 11А's curator made a class link."""

    def __init__(self):
        self.org = OrganisationFactory()
        self.year = AcademicYearFactory(organisation=self.org)
        self.admin = admin_of(self.org)
        self.classes, self.pupils, self.curators = {}, {}, {}
        for grade, letter in [(5, "А"), (5, "Б"), (9, "А"), (11, "А")]:
            group = ClassFactory(organisation=self.org, grade=grade, letter=letter)
            self.classes[group.name] = group
            self.curators[group.name] = curator_of(group)
            self.pupils[group.name] = [student_in(group) for _ in range(2)]
        teaches(self.classes["5А"], self.curators["5А"], "Математика")
        self.parent = parent_of(self.pupils["11А"][0], self.org)
        chats_sync_organisation(organisation=self.org)


@pytest.fixture
def school():
    return ScriptedSchool()


def _names(org):
    return sorted(
        Group.objects.filter(
            organisation=org, kind="class", is_archived=False, academic_year__is_current=True
        ).values_list("name", flat=True)
    )


def test_preview_promotes_every_class_and_graduates_the_eleventh(school):
    plan = promotion_preview(organisation=school.org, actor=school.admin)
    actions = {row["name"]: (row["action"], row["to"]) for row in plan["rows"]}
    assert actions == {
        "5А": ("promote", "6А"),
        "5Б": ("promote", "6Б"),
        "9А": ("promote", "10А"),
        "11А": ("graduate", ""),
    }
    assert plan["to_year_name"] == "2027/2028"
    assert plan["totals"] == {"classes": 4, "students": 8, "graduates": 2}
    assert plan["errors"] == []


def test_a_basic_school_graduates_its_ninth_grade():
    org = OrganisationFactory()
    AcademicYearFactory(organisation=org)
    admin = admin_of(org)
    ClassFactory(organisation=org, grade=9, letter="А")
    ClassFactory(organisation=org, grade=8, letter="А")
    plan = promotion_preview(organisation=org, actor=admin)
    assert {row["name"]: row["action"] for row in plan["rows"]} == {"8А": "promote", "9А": "graduate"}


def test_a_college_moves_its_groups_to_the_next_course_keeping_their_codes():
    org = OrganisationFactory(kind="college")
    AcademicYearFactory(organisation=org)
    admin = admin_of(org)
    ClassFactory(organisation=org, grade=1, letter="ЭС-26", name="ЭС-26")
    ClassFactory(organisation=org, grade=4, letter="ЭС-23", name="ЭС-23")
    plan = promotion_preview(organisation=org, actor=admin)
    assert {row["name"]: (row["action"], row["to"]) for row in plan["rows"]} == {
        "ЭС-26": ("promote", "ЭС-26"),
        "ЭС-23": ("graduate", ""),
    }


def test_promotion_moves_grades_graduates_with_history_and_chats_follow(school, live):
    org = school.org
    chat_5a = Chat.objects.get(group=school.classes["5А"], kind="class")
    chat_11a = Chat.objects.get(group=school.classes["11А"], kind="class")
    curator_link, _token = invite_create(
        organisation=org, actor=school.curators["11А"], role="parent", target_group=school.classes["11А"]
    )
    promotion = live(promotion_confirm, organisation=org, actor=school.admin)
    promotion.refresh_from_db()
    assert promotion.status == Promotion.Status.DONE
    new_year = AcademicYear.objects.get(organisation=org, is_current=True)
    assert new_year.name == "2027/2028"
    assert _names(org) == ["10А", "6А", "6Б"]
    # The class row moved: same pupils, same curator, same chats under the new name.
    six_a = Group.objects.get(pk=school.classes["5А"].pk)
    assert (six_a.name, six_a.grade, six_a.academic_year_id) == ("6А", 6, new_year.pk)
    assert set(Placement.objects.filter(group=six_a, valid_to__isnull=True).values_list("student", flat=True)) == {
        p.pk for p in school.pupils["5А"]
    }
    chat_5a.refresh_from_db()
    assert chat_5a.title.endswith("6А") and not chat_5a.is_archived
    assert ChatMember.objects.filter(chat=chat_5a, left_at__isnull=True, user=school.pupils["5А"][0]).exists()
    # The graduates leave with reason «выпуск»; their history stays; their class chat is archived, read-only.
    for pupil in school.pupils["11А"]:
        ended = Membership.objects.get(organisation=org, user=pupil, role="student")
        assert ended.valid_to is not None and ended.end_reason == "выпуск"
        assert Movement.objects.filter(organisation=org, user=pupil, kind="graduate", from_name="11А").exists()
        assert Placement.objects.filter(student=pupil, group=school.classes["11А"]).exists()
    chat_11a.refresh_from_db()
    assert chat_11a.is_archived
    assert Group.objects.get(pk=school.classes["11А"].pk).is_archived
    # The graduating class's curator no longer curates it, and their parents' link of that class stops.
    curator_link.refresh_from_db()
    assert curator_link.status == Invite.Status.ACTIVE  # the curator still works here: only the class went
    # Promoted pupils have a history step each.
    assert Movement.objects.filter(organisation=org, kind="promote").count() == 6
    report = promotion.report
    assert {(r["from"], r["to"]) for r in report["promoted"]} == {("5А", "6А"), ("5Б", "6Б"), ("9А", "10А")}
    assert report["graduated"] == [{"class": "11А", "students": 2}]
    # A resync afterwards changes nothing: the live sync already did it all.
    assert not chats_sync_organisation(organisation=org).changed


def test_running_the_same_promotion_again_changes_nothing(school, live):
    org = school.org
    first = live(promotion_confirm, organisation=org, actor=school.admin)
    before = (
        list(Group.objects.filter(organisation=org).values_list("pk", "name", "academic_year", "is_archived")),
        Movement.objects.count(),
        Membership.objects.filter(valid_to__isnull=True).count(),
        AcademicYear.objects.filter(organisation=org).count(),
    )
    again = live(promotion_confirm, organisation=org, actor=school.admin, from_year=school.year.pk)
    assert again.pk == first.pk
    promotion_run(first.pk)
    after = (
        list(Group.objects.filter(organisation=org).values_list("pk", "name", "academic_year", "is_archived")),
        Movement.objects.count(),
        Membership.objects.filter(valid_to__isnull=True).count(),
        AcademicYear.objects.filter(organisation=org).count(),
    )
    assert after == before
    assert AuditEntry.objects.filter(organisation=org, action="promotion.completed").count() == 1


def test_excluded_classes_stay_and_merged_classes_join(school, live):
    org = school.org
    a, b, nine = school.classes["5А"], school.classes["5Б"], school.classes["9А"]
    changes = {b.pk: {"action": "merge", "merge_into": a.pk}, nine.pk: {"action": "exclude"}}
    plan = promotion_preview(organisation=org, actor=school.admin, changes=changes)
    assert {r["name"]: r["to"] for r in plan["rows"] if r["action"] == "merge"} == {"5Б": "6А"}
    live(promotion_confirm, organisation=org, actor=school.admin, changes=changes)
    a.refresh_from_db(), b.refresh_from_db(), nine.refresh_from_db()
    assert a.name == "6А"
    assert set(Placement.objects.filter(group=a, valid_to__isnull=True).values_list("student", flat=True)) == {
        p.pk for p in school.pupils["5А"] + school.pupils["5Б"]
    }
    assert b.is_archived and Chat.objects.get(group=b, kind="class").is_archived
    # The merged pupils are in 6А's chat now.
    chat = Chat.objects.get(group=a, kind="class")
    assert ChatMember.objects.filter(chat=chat, user=school.pupils["5Б"][0], left_at__isnull=True).exists()
    # The excluded class stays in the old year as it was.
    assert (nine.name, nine.academic_year_id, nine.is_archived) == ("9А", school.year.pk, False)
    assert not chats_sync_organisation(organisation=org).changed


def test_a_split_class_becomes_two_with_the_chosen_pupils(school, live):
    org = school.org
    nine = school.classes["9А"]
    first, second = school.pupils["9А"]
    changes = {nine.pk: {"action": "split", "parts": ["10А", "10Б"], "students": {second.pk: 1, first.pk: 0}}}
    live(promotion_confirm, organisation=org, actor=school.admin, changes=changes)
    assert _names(org) == ["10А", "10Б", "6А", "6Б"]
    ten_b = Group.objects.get(organisation=org, name="10Б", is_archived=False)
    assert list(Placement.objects.filter(group=ten_b, valid_to__isnull=True).values_list("student", flat=True)) == [
        second.pk
    ]
    assert Placement.objects.filter(group=nine, student=first, valid_to__isnull=True).exists()


def test_a_plan_whose_classes_collide_is_refused_with_the_names(school):
    org = school.org
    b = school.classes["5Б"]
    b.letter = "А"
    b.save()
    plan = promotion_preview(organisation=org, actor=school.admin)
    assert any("«6А»" in e for e in plan["errors"])
    with pytest.raises(RuleViolation):
        promotion_confirm(organisation=org, actor=school.admin)
    assert not Promotion.objects.exists()


def test_only_administrators_promote(school):
    with pytest.raises(PermissionDenied):
        promotion_preview(organisation=school.org, actor=school.curators["5А"])
    with pytest.raises(PermissionDenied):
        promotion_confirm(organisation=school.org, actor=teacher_of(school.org, position="director"))
