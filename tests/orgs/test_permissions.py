"""The permission matrix (SPEC) as guardian rows: who holds what on the organisation and on classes."""

import pytest
from guardian.shortcuts import get_perms

from orgs.models import Membership
from orgs.permissions import require
from portal.exceptions import PermissionDenied
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

ADMIN = {
    "view_org",
    "manage_org",
    "manage_admins",
    "verify_teachers",
    "invite_staff",
    "invite_members",
    "view_members",
    "manage_movement",
    "create_chats",
    "create_management_chats",
    "post_system_channels",
    "view_statistics",
    "view_audit",
}
DIRECTOR = {
    "view_org",
    "view_members",
    "create_management_chats",
    "post_system_channels",
    "view_statistics",
    "view_audit",
}
CURATOR_CLASS = {
    "invite_to_group",
    "approve_group_joins",
    "view_group_roster",
    "view_group_statistics",
    "create_group_chats",
}
VERIFIED_TEACHER_CLASS = {"view_group_roster", "invite_to_group", "create_group_chats"}

# role: (perms on the organisation, perms on «their» class)
MATRIX = {
    "admin": (ADMIN, set()),
    "director": (DIRECTOR, set()),
    "curator": ({"view_org"}, CURATOR_CLASS),
    "unverified curator": ({"view_org"}, {"view_group_roster", "view_group_statistics"}),
    "verified teacher": ({"view_org"}, VERIFIED_TEACHER_CLASS),
    "unverified teacher": ({"view_org"}, {"view_group_roster"}),
    "rejected teacher": ({"view_org"}, set()),
    "student": ({"view_org"}, set()),
    "parent": ({"view_org"}, set()),
    "outsider": (set(), set()),
}


def make(role, organisation, own_class):
    if role == "admin":
        return admin_of(organisation)
    if role == "director":
        return teacher_of(organisation, position=Membership.Position.DIRECTOR)
    if role == "curator":
        return curator_of(own_class)
    if role == "unverified curator":
        return curator_of(own_class, teacher_of(organisation, verified=False))
    if role == "verified teacher":
        teacher = teacher_of(organisation)
        teaches(own_class, teacher)
        return teacher
    if role in ("unverified teacher", "rejected teacher"):
        teacher = teacher_of(organisation, verified=False)
        if role == "rejected teacher":
            Membership.objects.filter(user=teacher).update(verification=Membership.Verification.REJECTED)
        teaches(own_class, teacher)
        return teacher
    if role == "student":
        return student_in(own_class)
    if role == "parent":
        return parent_of(student_in(own_class), organisation)
    return UserFactory()


@pytest.mark.parametrize("role", list(MATRIX))
def test_permission_matrix(role):
    organisation = OrganisationFactory()
    own_class, other_class = ClassFactory(organisation=organisation), ClassFactory(organisation=organisation)
    elsewhere = OrganisationFactory()
    elsewhere_class = ClassFactory(organisation=elsewhere)
    user = make(role, organisation, own_class)
    expected_org, expected_class = MATRIX[role]

    assert set(get_perms(user, organisation)) == expected_org
    assert set(get_perms(user, own_class)) == expected_class
    assert set(get_perms(user, other_class)) == set()
    assert set(get_perms(user, elsewhere)) == set()
    assert set(get_perms(user, elsewhere_class)) == set()
    # has_perm, which views and services use, agrees with the rows.
    assert user.has_perm("orgs.manage_org", organisation) == ("manage_org" in expected_org)
    assert user.has_perm("orgs.invite_to_group", own_class) == ("invite_to_group" in expected_class)
    assert not user.has_perm("orgs.view_org", elsewhere)


def test_rights_in_two_organisations_do_not_mix():
    first, second = OrganisationFactory(), OrganisationFactory()
    user = admin_of(first)
    member(second, Membership.Role.STUDENT, user)
    assert set(get_perms(user, first)) == ADMIN
    assert set(get_perms(user, second)) == {"view_org"}


def test_require_refuses_anonymous_inactive_and_outsiders():
    from django.contrib.auth.models import AnonymousUser

    organisation = OrganisationFactory()
    admin = admin_of(organisation)
    require(admin, "manage_org", organisation)
    for actor in (None, AnonymousUser(), admin_of(OrganisationFactory())):
        with pytest.raises(PermissionDenied) as exc:
            require(actor, "manage_org", organisation)
        assert exc.value.message == "Недостаточно прав для этого действия."
    admin.is_active = False
    admin.save()
    with pytest.raises(PermissionDenied):
        require(admin, "manage_org", organisation)


@pytest.mark.parametrize(
    "roles",
    [("student",), ("parent",), ("teacher",), ("teacher", "admin"), ("admin", "parent"), ("teacher", "student")],
)
def test_a_new_membership_grants_exactly_what_the_full_derivation_gives(roles):
    """Joining grants a role's rights by one insert without reading the person's rows: the rows it leaves are those
    the full derivation from all their roles would write, no more and no fewer."""
    from guardian.models import UserObjectPermission

    from orgs.permissions import permissions_sync_user
    from orgs.services.membership import membership_add

    organisation = OrganisationFactory()
    ClassFactory(organisation=organisation)
    user = UserFactory()
    for role in roles:
        membership_add(organisation=organisation, user=user, role=role, actor=None)
    rows = UserObjectPermission.objects.filter(user=user)
    granted = set(rows.values_list("permission__codename", "content_type_id", "object_pk"))
    permissions_sync_user(organisation=organisation, user=user)
    assert set(rows.values_list("permission__codename", "content_type_id", "object_pk")) == granted
    expected = ADMIN if "admin" in roles else {"view_org"}
    assert set(get_perms(user, organisation)) == expected
