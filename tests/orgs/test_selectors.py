"""Reads: what each person sees of their organisation, and in how many queries."""

import pytest

from orgs.models import Group, Membership
from orgs.selectors import (
    group_get,
    groups_for_user,
    member_get,
    members_for_user,
    organisation_get,
    organisations_for_user,
    verification_queue,
    verified_teacher_ids,
)
from portal.accounts.models import User
from portal.exceptions import NotFound
from tests.factories import (
    ClassFactory,
    OrganisationFactory,
    UserFactory,
    admin_of,
    curator_of,
    parent_of,
    student_in,
    teacher_of,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    """An organisation with two classes, each with a student and a parent, a curator, a teacher and an admin."""
    organisation = OrganisationFactory()
    five_a, five_b = ClassFactory(organisation=organisation), ClassFactory(organisation=organisation)
    people = {
        "admin": admin_of(organisation),
        "curator_a": curator_of(five_a),
        "curator_b": curator_of(five_b),
        "teacher": teacher_of(organisation, verified=False),
        "student_a": student_in(five_a),
        "student_b": student_in(five_b),
    }
    people["parent_a"] = parent_of(people["student_a"], organisation)
    people["parent_b"] = parent_of(people["student_b"], organisation)
    return organisation, five_a, five_b, people


def seen(user, organisation) -> set[tuple[int, str]]:
    return {(m.user_id, m.role) for m in members_for_user(user, organisation)}


def test_an_administrator_sees_everyone(school):
    organisation, _, _, people = school
    everyone = {(m.user_id, m.role) for m in Membership.objects.filter(organisation=organisation)}
    assert seen(people["admin"], organisation) == everyone
    assert len(everyone) == 8


def test_a_curator_sees_own_class_students_and_parents_and_the_staff_but_not_other_classes(school):
    organisation, _, _, people = school
    p = people
    visible = seen(p["curator_a"], organisation)
    assert visible == {
        (p["admin"].pk, "admin"),
        (p["curator_a"].pk, "teacher"),
        (p["curator_b"].pk, "teacher"),
        (p["teacher"].pk, "teacher"),
        (p["student_a"].pk, "student"),
        (p["parent_a"].pk, "parent"),
    }
    with pytest.raises(NotFound, match="Участник не найден"):
        member_get(p["curator_a"], organisation, Membership.objects.get(user=p["student_b"]).pk)


def test_a_student_sees_themselves_and_the_staff_only(school):
    organisation, _, _, p = school
    visible = seen(p["student_a"], organisation)
    assert (p["student_a"].pk, "student") in visible
    assert (p["student_b"].pk, "student") not in visible
    assert (p["parent_a"].pk, "parent") not in visible


def test_ended_memberships_are_hidden_unless_asked_for(school):
    organisation, _, _, p = school
    from django.utils import timezone

    Membership.objects.filter(user=p["teacher"]).update(valid_to=timezone.now())
    assert (p["teacher"].pk, "teacher") not in seen(p["admin"], organisation)
    assert p["teacher"].pk in {m.user_id for m in members_for_user(p["admin"], organisation, include_ended=True)}


def test_nobody_sees_another_organisation(school):
    organisation, five_a, _, p = school
    other = OrganisationFactory()
    other_admin = admin_of(other)
    assert list(organisations_for_user(other_admin)) == [other]
    with pytest.raises(NotFound) as exc:
        organisation_get(other_admin, organisation.pk)
    assert exc.value.message == "Организация не найдена."
    for bad in ("abc", None, 10**9):
        with pytest.raises(NotFound):
            organisation_get(p["admin"], bad)
    with pytest.raises(NotFound, match="Группа не найдена"):
        group_get(other_admin, other, five_a.pk)
    assert organisation_get(p["parent_a"], organisation.pk) == organisation
    assert set(organisations_for_user(UserFactory(is_superuser=True))) == {organisation, other}


def test_queues_and_badges(school):
    organisation, _, _, p = school
    assert [m.user for m in verification_queue(organisation)] == [p["teacher"]]
    assert verified_teacher_ids(organisation) == {p["curator_a"].pk, p["curator_b"].pk}


def test_groups_for_user_counts_students_and_shows_curators(school):
    organisation, five_a, five_b, p = school
    student_in(five_a)
    groups = {g.pk: g for g in groups_for_user(p["admin"], organisation)}
    assert groups[five_a.pk].student_count == 2
    assert groups[five_b.pk].student_count == 1
    assert [c.teacher for c in groups[five_a.pk].active_curatorships] == [p["curator_a"]]
    staff = Group.objects.get(organisation=organisation, kind="staff")
    assert staff.pk in groups
    five_b.is_archived = True
    five_b.save()
    assert five_b.pk not in {g.pk for g in groups_for_user(p["admin"], organisation)}
    assert five_b.pk in {g.pk for g in groups_for_user(p["admin"], organisation, include_archived=True)}


# --- Query counts ---------------------------------------------------------------------------


def _populate_members(organisation, count):
    """`count` more members: students in classes, their parents, and teachers."""
    groups = [ClassFactory(organisation=organisation) for _ in range(3)]
    for i in range(count):
        if i % 3 == 2:
            teacher_of(organisation)
        else:
            child = student_in(groups[i % 3])
            if i % 3 == 1:
                parent_of(child, organisation)
    return groups


def _render_member_list(user, organisation):
    rows = []
    for m in members_for_user(user, organisation):
        placement = m.user.current_placements[0].group.name if m.user.current_placements else ""
        verifier = m.verified_by.full_name if m.verified_by else ""
        rows.append((m.user.full_name, m.user.phone, m.get_role_display(), placement, verifier))
    return rows


# The permission checks, the visible classes (curator only), the membership rows with user and verifier,
# the current placements with their classes.
MEMBER_LIST_MAX_QUERIES = {"admin": 4, "curator": 5}


def _member_list_queries(django_assert_max_num_queries, count, viewer):
    organisation = OrganisationFactory()
    groups = _populate_members(organisation, count)
    user = admin_of(organisation) if viewer == "admin" else curator_of(groups[0])
    _render_member_list(user, organisation)  # warms the content-type cache, which lives for the process
    user = User.objects.get(pk=user.pk)  # and no per-instance permission cache helps the measured run
    with django_assert_max_num_queries(MEMBER_LIST_MAX_QUERIES[viewer]) as captured:
        rows = _render_member_list(user, organisation)
    assert len(rows) >= count // 3
    return len(captured.captured_queries)


@pytest.mark.parametrize("viewer", ["admin", "curator"])
def test_member_list_queries_do_not_grow_with_the_members(django_assert_max_num_queries, viewer):
    few = _member_list_queries(django_assert_max_num_queries, 5, viewer)
    many = _member_list_queries(django_assert_max_num_queries, 60, viewer)
    assert many == few


def _structure_queries(django_assert_max_num_queries, classes):
    organisation = OrganisationFactory()
    admin = admin_of(organisation)
    for _ in range(classes):
        group = ClassFactory(organisation=organisation)
        curator_of(group)
        student_in(group)
    with django_assert_max_num_queries(3) as captured:
        rows = [
            (
                g.name,
                g.academic_year.name if g.academic_year else "",
                g.parent.name if g.parent else "",
                g.student_count,
                ", ".join(c.teacher.full_name for c in g.active_curatorships),
            )
            for g in groups_for_user(admin, organisation)
        ]
    assert len(rows) == classes + 1
    assert all(row[3] == 1 and row[4] for row in rows if row[1])
    return len(captured.captured_queries)


def test_structure_queries_do_not_grow_with_the_classes(django_assert_max_num_queries):
    assert _structure_queries(django_assert_max_num_queries, 3) == _structure_queries(django_assert_max_num_queries, 30)


def test_name_search_ignores_case_of_cyrillic_letters():
    from orgs.models import Organisation
    from tests.factories import OrganisationFactory

    OrganisationFactory(short_name="Школа № 5")
    OrganisationFactory(short_name="Колледж")
    assert list(Organisation.objects.filter(short_name__icontains="школа").values_list("short_name", flat=True)) == [
        "Школа № 5"
    ]
    assert Organisation.objects.filter(short_name__icontains="ШКОЛА №_5").count() == 0
    assert Organisation.objects.filter(short_name__istartswith="шк").count() == 1
