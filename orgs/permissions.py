"""The permission matrix of the orgs app (SPEC), in one place.

Object permissions are django-guardian rows. They are never granted by hand:
`permissions_sync_user` derives them from memberships and assignments, and every
service that changes those calls it.

Who a person is in an organisation (`is_member`, `is_admin`, `is_director`, `is_curator`) is answered here for every
app. The apps' own permissions modules are named one way: `can_<verb>_<thing>` answers, `require_<verb>_<thing>`
raises, `<VERB>_<THING>` names the organisation right an action needs (docs/architecture.md).
"""

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from guardian.models import UserObjectPermission

from portal.exceptions import PermissionDenied

from .models import CuratorAssignment, Group, Membership, Organisation, TeachingAssignment
from .rights import rights_changed, rights_of

ADMIN_ORG_PERMS = {
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
LEADER_ORG_PERMS = {
    "view_org",
    "view_members",
    "create_management_chats",
    "post_system_channels",
    "view_statistics",
    "view_audit",
}
MEMBER_ORG_PERMS = {"view_org"}
CURATOR_GROUP_PERMS = {
    "invite_to_group",
    "approve_group_joins",
    "view_group_roster",
    "view_group_statistics",
    "create_group_chats",
}
# SPEC: unverified teachers neither invite students and parents nor create chats with them,
# even when they curate a class.
UNVERIFIED_CURATOR_GROUP_PERMS = {"view_group_roster", "view_group_statistics"}
TEACHER_GROUP_PERMS = {"view_group_roster"}
VERIFIED_TEACHER_GROUP_PERMS = {"view_group_roster", "invite_to_group", "create_group_chats"}
LEADER_POSITIONS = {Membership.Position.DIRECTOR, Membership.Position.DEPUTY}


def desired_permissions(organisation: Organisation, user) -> set[tuple[str, str, int]]:
    """(model, codename, object id) triples that the user's current roles give."""
    memberships = list(Membership.objects.filter(organisation=organisation, user=user, valid_to__isnull=True))
    wanted: set[tuple[str, str, int]] = set()
    roles = {m.role for m in memberships}
    org_perms: set[str] = set()
    if memberships:
        org_perms |= MEMBER_ORG_PERMS
    if Membership.Role.ADMIN in roles:
        org_perms |= ADMIN_ORG_PERMS
    teacher = next((m for m in memberships if m.role == Membership.Role.TEACHER), None)
    if teacher and teacher.position in LEADER_POSITIONS and teacher.verification != Membership.Verification.REJECTED:
        org_perms |= LEADER_ORG_PERMS
    wanted |= {("organisation", p, organisation.pk) for p in org_perms}
    if teacher and teacher.verification != Membership.Verification.REJECTED:
        verified = teacher.verification == Membership.Verification.VERIFIED
        for group_id in CuratorAssignment.objects.filter(
            organisation=organisation, teacher=user, valid_to__isnull=True, group__is_archived=False
        ).values_list("group_id", flat=True):
            perms = CURATOR_GROUP_PERMS if verified else UNVERIFIED_CURATOR_GROUP_PERMS
            wanted |= {("group", p, group_id) for p in perms}
        for group_id in TeachingAssignment.objects.filter(
            organisation=organisation, teacher=user, valid_to__isnull=True, group__is_archived=False
        ).values_list("group_id", flat=True):
            perms = VERIFIED_TEACHER_GROUP_PERMS if verified else TEACHER_GROUP_PERMS
            wanted |= {("group", p, group_id) for p in perms}
    return wanted


def permissions_sync_user(*, organisation: Organisation, user) -> None:
    """Make the user's guardian rows for this organisation equal to what their roles give."""
    org_ct = ContentType.objects.get_for_model(Organisation)
    group_ct = ContentType.objects.get_for_model(Group)
    cts = {"organisation": org_ct, "group": group_ct}
    group_ids = [str(pk) for pk in Group.objects.filter(organisation=organisation).values_list("pk", flat=True)]
    existing_rows = UserObjectPermission.objects.filter(user=user).filter(
        content_type=org_ct, object_pk=str(organisation.pk)
    ) | UserObjectPermission.objects.filter(user=user, content_type=group_ct, object_pk__in=group_ids)
    existing = {
        (row.content_type.model, row.permission.codename, int(row.object_pk)): row.pk
        for row in existing_rows.select_related("permission", "content_type")
    }
    wanted = desired_permissions(organisation, user)
    stale = [pk for key, pk in existing.items() if key not in wanted]
    if stale:
        UserObjectPermission.objects.filter(pk__in=stale).delete()
    missing = wanted - existing.keys()
    if missing:
        perms = {
            (p.content_type.model, p.codename): p
            for p in Permission.objects.filter(content_type__in=cts.values()).select_related("content_type")
        }
        UserObjectPermission.objects.bulk_create(
            [
                UserObjectPermission(
                    user=user, permission=perms[(model, codename)], content_type=cts[model], object_pk=str(pk)
                )
                for model, codename, pk in missing
            ]
        )
    # Django's, guardian's and orgs.rights' per-user caches would otherwise answer with the old rights.
    for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache", "_guardian_perms_cache"):
        user.__dict__.pop(attr, None)
    rights_changed()


def require(actor, perm: str, obj, message: str | None = None) -> None:
    """Raise PermissionDenied unless the actor holds the permission on the object."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied(message)
    if not actor.has_perm(f"orgs.{perm}", obj):
        raise PermissionDenied(message)


# --- who the person is: the membership questions every app asks, answered here ------------------------------------


def _pk(obj) -> int | None:
    return obj if obj is None or isinstance(obj, int) else obj.pk


def is_member(user, organisation, *roles: str) -> bool:
    """An active member of the organisation (in one of `roles` when any are given). `user` and `organisation` are
    objects or ids; a guest is no member."""
    if user is None or not (isinstance(user, int) or user.is_authenticated):
        return False
    memberships = Membership.objects.filter(organisation_id=_pk(organisation), user_id=_pk(user), valid_to__isnull=True)
    if roles:
        memberships = memberships.filter(role__in=roles)
    return memberships.exists()


def is_admin(user, organisation) -> bool:
    """An active administrator of the organisation (object or id): «manage_org» is theirs alone in the rights matrix
    (ADMIN_ORG_PERMS), read with the person's other rights once per request (orgs.rights)."""
    return (
        user is not None
        and user.is_authenticated
        and user.is_active
        and "manage_org" in rights_of(user).organisations.get(_pk(organisation), ())
    )


def is_director(user, organisation) -> bool:
    """The organisation's head: an active staff member whose position is «руководитель», not refused verification."""
    return (
        user.is_authenticated
        and user.is_active
        and Membership.objects.filter(
            organisation_id=_pk(organisation),
            user=user,
            role=Membership.Role.TEACHER,
            position=Membership.Position.DIRECTOR,
            valid_to__isnull=True,
        )
        .exclude(verification=Membership.Verification.REJECTED)
        .exists()
    )


def is_curator(user, group: Group | None) -> bool:
    """The current curator of the class or group (none for no group)."""
    return (
        group is not None
        and CuratorAssignment.objects.filter(group=group, teacher_id=_pk(user), valid_to__isnull=True).exists()
    )


def now():
    return timezone.now()
