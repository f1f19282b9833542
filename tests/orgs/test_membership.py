"""People in an organisation: joining, verification, administrators, movement, assignments."""

import pytest
from guardian.shortcuts import get_perms

from orgs.models import AuditEntry, CuratorAssignment, Membership, ParentLink, Placement, TeachingAssignment
from orgs.permissions import ADMIN_ORG_PERMS, CURATOR_GROUP_PERMS
from orgs.services.membership import (
    admin_appoint,
    admin_remove,
    curator_assign,
    curator_unassign,
    membership_add,
    membership_end,
    parent_link_create,
    staff_set_position,
    student_place,
    teacher_reject,
    teacher_verify,
    teaching_assign,
    teaching_end,
)
from portal.exceptions import Conflict, PermissionDenied, RuleViolation
from tests.factories import (
    ClassFactory,
    OrganisationFactory,
    UserFactory,
    admin_of,
    curator_of,
    member,
    parent_of,
    student_in,
    teacher_of,
    teaches,
)

pytestmark = pytest.mark.django_db

Role = Membership.Role


@pytest.fixture
def school():
    return OrganisationFactory()


@pytest.fixture
def admin(school):
    return admin_of(school)


def active(organisation, user, role) -> Membership:
    return Membership.objects.get(organisation=organisation, user=user, role=role, valid_to__isnull=True)


# --- Joining and verification ------------------------------------------------------------


def test_a_teacher_joins_unverified_with_only_the_right_to_see_the_organisation(school, admin):
    user = UserFactory()
    membership = membership_add(organisation=school, user=user, role=Role.TEACHER, actor=admin)
    assert membership.verification == Membership.Verification.PENDING
    assert membership.position == Membership.Position.TEACHER
    assert get_perms(user, school) == ["view_org"]
    # Adding the same person again changes nothing.
    assert membership_add(organisation=school, user=user, role=Role.TEACHER, actor=admin) == membership
    assert Membership.objects.filter(organisation=school, user=user).count() == 1
    assert AuditEntry.objects.filter(action="membership.added", object_id=str(membership.pk)).count() == 1


def test_only_an_administrator_adds_staff(school):
    for actor in (teacher_of(school), admin_of(OrganisationFactory())):
        with pytest.raises(PermissionDenied):
            membership_add(organisation=school, user=UserFactory(), role=Role.TEACHER, actor=actor)


def test_verification_gives_a_teacher_the_rights_on_the_classes_they_teach_only(school, admin):
    taught, other = ClassFactory(organisation=school), ClassFactory(organisation=school)
    teacher = teacher_of(school, verified=False)
    teaches(taught, teacher)
    membership = active(school, teacher, Role.TEACHER)
    assert "invite_to_group" not in get_perms(teacher, taught)

    teacher_verify(membership=membership, actor=admin)
    membership.refresh_from_db()
    assert membership.verification == Membership.Verification.VERIFIED
    assert membership.verified_by == admin
    assert membership.is_verified_teacher
    assert set(get_perms(teacher, taught)) == {"view_group_roster", "invite_to_group", "create_group_chats"}
    assert get_perms(teacher, other) == []
    assert AuditEntry.objects.filter(action="teacher.verified", actor=admin).exists()


def test_an_unverified_curator_may_see_the_class_but_invites_only_after_verification(school, admin):
    group = ClassFactory(organisation=school)
    teacher = teacher_of(school, verified=False)
    curator_assign(group=group, teacher=teacher, actor=admin)
    assert set(get_perms(teacher, group)) == {"view_group_roster", "view_group_statistics"}
    teacher_verify(membership=active(school, teacher, Role.TEACHER), actor=admin)
    assert set(get_perms(teacher, group)) == CURATOR_GROUP_PERMS


def test_rejection_needs_a_reason_and_takes_the_teacher_rights_away(school, admin):
    group = ClassFactory(organisation=school)
    teacher = teacher_of(school)
    teaches(group, teacher)
    membership = active(school, teacher, Role.TEACHER)
    with pytest.raises(RuleViolation, match="Укажите причину отказа"):
        teacher_reject(membership=membership, actor=admin, reason=" ")

    teacher_reject(membership=membership, actor=admin, reason="Не работает в нашей школе")
    membership.refresh_from_db()
    assert membership.verification == Membership.Verification.REJECTED
    assert membership.verification_note == "Не работает в нашей школе"
    assert membership.is_active  # the account and membership stay; the rights go
    assert get_perms(teacher, group) == []
    entry = AuditEntry.objects.get(action="teacher.rejected")
    assert entry.details == {"reason": "Не работает в нашей школе"}


def test_only_teachers_are_verified_and_only_by_an_administrator(school, admin):
    student = student_in(ClassFactory(organisation=school))
    with pytest.raises(RuleViolation, match="только действующих педагогов"):
        teacher_verify(membership=active(school, student, Role.STUDENT), actor=admin)
    pending = active(school, teacher_of(school, verified=False), Role.TEACHER)
    for actor in (teacher_of(school), curator_of(ClassFactory(organisation=school))):
        with pytest.raises(PermissionDenied):
            teacher_verify(membership=pending, actor=actor)
    pending.refresh_from_db()
    assert pending.verification == Membership.Verification.PENDING


def test_director_position_gives_leadership_rights_but_not_management(school, admin):
    director = teacher_of(school)
    staff_set_position(membership=active(school, director, Role.TEACHER), actor=admin, position="director")
    perms = set(get_perms(director, school))
    assert {"view_statistics", "view_audit", "post_system_channels", "create_management_chats"} <= perms
    assert "manage_org" not in perms
    assert "manage_admins" not in perms
    assert "manage_movement" not in perms
    with pytest.raises(RuleViolation, match="Неизвестная должность"):
        staff_set_position(membership=active(school, director, Role.TEACHER), actor=admin, position="king")
    staff_set_position(membership=active(school, director, Role.TEACHER), actor=admin, position="teacher")
    assert get_perms(director, school) == ["view_org"]


# --- Administrators ---------------------------------------------------------------------


def test_an_administrator_is_appointed_only_from_the_teachers(school, admin):
    teacher = teacher_of(school)
    membership = admin_appoint(organisation=school, user=teacher, actor=admin)
    assert membership.role == Role.ADMIN
    assert set(get_perms(teacher, school)) == ADMIN_ORG_PERMS
    assert AuditEntry.objects.filter(action="admin.appointed", actor=admin).exists()
    with pytest.raises(Conflict, match="уже администратор"):
        admin_appoint(organisation=school, user=teacher, actor=admin)

    parent = parent_of(student_in(ClassFactory(organisation=school)), school)
    outsider = UserFactory()
    for user in (parent, outsider, teacher_of(OrganisationFactory())):
        with pytest.raises(RuleViolation) as exc:
            admin_appoint(organisation=school, user=user, actor=admin)
        assert exc.value.message == "Администратором можно назначить только педагога этой организации."
    assert Membership.objects.filter(organisation=school, role=Role.ADMIN, valid_to__isnull=True).count() == 2


def test_a_teacher_cannot_appoint_administrators(school):
    teacher = teacher_of(school)
    with pytest.raises(PermissionDenied):
        admin_appoint(organisation=school, user=teacher, actor=teacher)
    assert get_perms(teacher, school) == ["view_org"]


def test_the_last_administrator_cannot_be_removed(school, admin):
    with pytest.raises(RuleViolation) as exc:
        admin_remove(membership=active(school, admin, Role.ADMIN), actor=admin)
    assert exc.value.message == "Нельзя снять последнего администратора организации: сначала назначьте другого."
    with pytest.raises(RuleViolation, match="последнего администратора"):
        membership_end(membership=active(school, admin, Role.ADMIN), actor=admin)
    assert set(get_perms(admin, school)) == ADMIN_ORG_PERMS


def test_removing_one_of_two_administrators_keeps_history_and_takes_the_rights(school, admin):
    second = teacher_of(school)
    appointed = admin_appoint(organisation=school, user=second, actor=admin)
    admin_remove(membership=appointed, actor=admin)
    appointed.refresh_from_db()
    assert appointed.valid_to is not None
    assert appointed.end_reason == "снят с роли администратора"
    assert get_perms(second, school) == ["view_org"]  # still a teacher
    # Now the first administrator is the last one again.
    with pytest.raises(RuleViolation, match="последнего администратора"):
        admin_remove(membership=active(school, admin, Role.ADMIN), actor=admin)


def test_admin_remove_refuses_non_administrators(school, admin):
    teacher = teacher_of(school)
    with pytest.raises(RuleViolation, match="не администратор"):
        admin_remove(membership=active(school, teacher, Role.TEACHER), actor=admin)


# --- Ending memberships --------------------------------------------------------------------


def test_ending_a_student_closes_the_placement_and_the_parent_links(school, admin):
    group = ClassFactory(organisation=school)
    student = student_in(group)
    parent = parent_of(student, school)
    membership = membership_end(membership=active(school, student, Role.STUDENT), actor=admin, reason="Отчислен")
    assert membership.valid_to is not None
    assert membership.end_reason == "Отчислен"
    assert not Placement.objects.filter(student=student, valid_to__isnull=True).exists()
    assert Placement.objects.filter(student=student).count() == 1  # history kept
    assert not ParentLink.objects.filter(child=student, valid_to__isnull=True).exists()
    assert get_perms(student, school) == []
    assert Membership.objects.get(user=parent, organisation=school).is_active


def test_ending_a_teacher_closes_curatorship_and_teaching_and_removes_the_rights(school, admin):
    curated, taught = ClassFactory(organisation=school), ClassFactory(organisation=school)
    teacher = curator_of(curated)
    teaches(taught, teacher)
    assert get_perms(teacher, curated) and get_perms(teacher, taught)
    membership_end(membership=active(school, teacher, Role.TEACHER), actor=admin, reason="Уволен")
    assert not CuratorAssignment.objects.filter(teacher=teacher, valid_to__isnull=True).exists()
    assert not TeachingAssignment.objects.filter(teacher=teacher, valid_to__isnull=True).exists()
    assert get_perms(teacher, curated) == []
    assert get_perms(teacher, taught) == []
    assert get_perms(teacher, school) == []


def test_ending_a_parent_closes_their_links(school, admin):
    child = student_in(ClassFactory(organisation=school))
    parent = parent_of(child, school)
    membership_end(membership=active(school, parent, Role.PARENT), actor=admin)
    assert not ParentLink.objects.filter(parent=parent, valid_to__isnull=True).exists()
    assert Placement.objects.filter(student=child, valid_to__isnull=True).exists()


def test_only_an_administrator_ends_memberships(school):
    group = ClassFactory(organisation=school)
    student = student_in(group)
    with pytest.raises(PermissionDenied):
        membership_end(membership=active(school, student, Role.STUDENT), actor=curator_of(group))
    assert active(school, student, Role.STUDENT)


# --- Placement ------------------------------------------------------------------------------


def test_enrol_and_transfer_keep_the_history(school, admin):
    five_a, five_b = ClassFactory(organisation=school), ClassFactory(organisation=school)
    student = member(school, Role.STUDENT).user
    first = student_place(organisation=school, student=student, group=five_a, actor=admin)
    assert student_place(organisation=school, student=student, group=five_a, actor=admin) == first
    second = student_place(organisation=school, student=student, group=five_b, actor=admin)
    first.refresh_from_db()
    assert first.valid_to is not None
    assert second.valid_to is None and second.group == five_b
    assert list(
        Placement.objects.filter(student=student).order_by("valid_from", "id").values_list("group_id", flat=True)
    ) == [five_a.pk, five_b.pk]
    actions = list(
        AuditEntry.objects.filter(organisation=school, action__startswith="student.")
        .order_by("id")
        .values_list("action", "details")
    )
    assert actions == [
        ("student.enrolled", {"group": five_a.name, "from": None}),
        ("student.transferred", {"group": five_b.name, "from": five_a.name}),
    ]


def test_only_students_go_into_active_classes_of_their_own_organisation(school, admin):
    group = ClassFactory(organisation=school)
    with pytest.raises(RuleViolation, match="только обучающегося организации"):
        student_place(organisation=school, student=teacher_of(school), group=group, actor=admin)
    student = member(school, Role.STUDENT).user
    foreign = ClassFactory(organisation=OrganisationFactory())
    with pytest.raises(RuleViolation, match="действующий класс этой организации"):
        student_place(organisation=school, student=student, group=foreign, actor=admin)
    assert not Placement.objects.filter(student=student).exists()


# --- Curators and teaching ----------------------------------------------------------------------


def test_a_new_curator_replaces_the_previous_one_and_takes_over_the_rights(school, admin):
    group = ClassFactory(organisation=school)
    old, new = teacher_of(school), teacher_of(school)
    first = curator_assign(group=group, teacher=old, actor=admin)
    assert set(get_perms(old, group)) == CURATOR_GROUP_PERMS
    second = curator_assign(group=group, teacher=new, actor=admin)
    first.refresh_from_db()
    assert first.valid_to is not None
    assert second.valid_to is None
    assert set(get_perms(new, group)) == CURATOR_GROUP_PERMS
    assert get_perms(old, group) == []
    assert CuratorAssignment.objects.filter(group=group).count() == 2

    curator_unassign(assignment=second, actor=admin)
    assert get_perms(new, group) == []


def test_a_curator_must_be_a_teacher_of_the_organisation(school, admin):
    group = ClassFactory(organisation=school)
    for user in (student_in(ClassFactory(organisation=school)), teacher_of(OrganisationFactory())):
        with pytest.raises(RuleViolation, match="Куратором может быть только педагог"):
            curator_assign(group=group, teacher=user, actor=admin)
    assert not CuratorAssignment.objects.filter(group=group).exists()


def test_teaching_assignment_gives_and_takes_rights_on_that_class(school, admin):
    group = ClassFactory(organisation=school)
    teacher = teacher_of(school)
    assignment = teaching_assign(group=group, teacher=teacher, subject=" Физика ", actor=admin)
    assert assignment.subject == "Физика"
    assert "invite_to_group" in get_perms(teacher, group)
    with pytest.raises(Conflict, match="уже назначена"):
        teaching_assign(group=group, teacher=teacher, subject="Физика", actor=admin)
    with pytest.raises(RuleViolation, match="Укажите предмет"):
        teaching_assign(group=group, teacher=teacher, subject="", actor=admin)
    teaching_end(assignment=assignment, actor=admin)
    assert get_perms(teacher, group) == []


def test_rights_from_one_of_two_subjects_stay_when_the_other_ends(school, admin):
    group = ClassFactory(organisation=school)
    teacher = teacher_of(school)
    algebra = teaching_assign(group=group, teacher=teacher, subject="Алгебра", actor=admin)
    teaching_assign(group=group, teacher=teacher, subject="Геометрия", actor=admin)
    teaching_end(assignment=algebra, actor=admin)
    assert "invite_to_group" in get_perms(teacher, group)


# --- Parents ---------------------------------------------------------------------------------------


def test_a_parent_is_linked_to_a_child_and_becomes_a_parent_member(school, admin):
    child = student_in(ClassFactory(organisation=school))
    parent = UserFactory()
    link = parent_link_create(organisation=school, parent=parent, child=child, actor=admin)
    assert active(school, parent, Role.PARENT)
    assert parent_link_create(organisation=school, parent=parent, child=child, actor=admin) == link
    assert ParentLink.objects.filter(parent=parent, child=child).count() == 1
    assert get_perms(parent, school) == ["view_org"]


def test_a_student_cannot_be_their_own_parent(school, admin):
    child = student_in(ClassFactory(organisation=school))
    with pytest.raises(RuleViolation) as exc:
        parent_link_create(organisation=school, parent=child, child=child, actor=admin)
    assert exc.value.message == (
        "Учётная запись обучающегося не может быть родителем самого себя. "
        "Родитель входит со своего телефона или e-mail."
    )
    assert not ParentLink.objects.exists()
    assert not Membership.objects.filter(user=child, role=Role.PARENT).exists()


def test_a_parent_link_needs_a_student_of_the_organisation(school, admin):
    with pytest.raises(RuleViolation, match="обучающимся этой организации"):
        parent_link_create(organisation=school, parent=UserFactory(), child=teacher_of(school), actor=admin)
    assert not ParentLink.objects.exists()
