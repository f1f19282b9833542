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
from django.db import connection
from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.db.models.signals import post_migrate
from django.utils import timezone
from guardian.models import UserObjectPermission

from portal.exceptions import PermissionDenied
from portal.sql import insert_ignoring

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


# (model, codename) -> the id of the Permission row, for the rights on organisations and groups. The rows come
# from migrations and never change while the process runs; forgotten whenever migrations run (a test database
# flushed and rebuilt gets new ids).
_permission_ids: dict[tuple[str, str], int] = {}


def _forget_permission_ids(**kwargs) -> None:
    _permission_ids.clear()


post_migrate.connect(_forget_permission_ids, dispatch_uid="orgs.permissions.forget_permission_ids")


def _permission_id_map(cts: dict[str, ContentType]) -> dict[tuple[str, str], int]:
    if not _permission_ids:
        model_of = {ct.pk: model for model, ct in cts.items()}
        rows = Permission.objects.filter(content_type__in=cts.values()).values_list("pk", "content_type_id", "codename")
        _permission_ids.update({(model_of[ct_id], codename): pk for pk, ct_id, codename in rows})
    return _permission_ids


def _content_types() -> dict[str, ContentType]:
    return {
        "organisation": ContentType.objects.get_for_model(Organisation),
        "group": ContentType.objects.get_for_model(Group),
    }


def _rows(user, keys, ids: dict, cts: dict) -> list[UserObjectPermission]:
    return [
        UserObjectPermission(
            user=user, permission_id=ids[(model, codename)], content_type_id=cts[model].pk, object_pk=str(pk)
        )
        for model, codename, pk in sorted(keys)
    ]


def _rights_forget(user) -> None:
    # Django's, guardian's and orgs.rights' per-user caches would otherwise answer with the old rights.
    for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache", "_guardian_perms_cache"):
        user.__dict__.pop(attr, None)
    rights_changed()


def permissions_sync_user(*, organisation: Organisation, user) -> None:
    """Make the user's guardian rows for this organisation equal to what their roles give."""
    cts = _content_types()
    ids = _permission_id_map(cts)
    key_of = {pk: key for key, pk in ids.items()}
    # The person's rows on the organisation and on its groups, in one query (guardian keeps object ids as text).
    group_pks = Group.objects.filter(organisation=organisation).annotate(text_pk=Cast("pk", CharField()))
    existing_rows = UserObjectPermission.objects.filter(user=user).filter(
        Q(content_type=cts["organisation"], object_pk=str(organisation.pk))
        | Q(content_type=cts["group"], object_pk__in=group_pks.values("text_pk"))
    )
    existing = {
        (*key_of.get(permission_id, ("", "")), int(object_pk)): pk
        for pk, permission_id, object_pk in existing_rows.values_list("pk", "permission_id", "object_pk")
    }
    wanted = desired_permissions(organisation, user)
    stale = [pk for key, pk in existing.items() if key not in wanted]
    if stale:
        UserObjectPermission.objects.filter(pk__in=stale).delete()
    missing = wanted - existing.keys()
    if missing:
        UserObjectPermission.objects.bulk_create(_rows(user, missing, ids, cts))
    _rights_forget(user)


# Roles whose rights follow from the role alone (no position, verification or assignment): what they add.
ROLE_ALONE_ORG_PERMS = {Membership.Role.STUDENT: MEMBER_ORG_PERMS, Membership.Role.PARENT: MEMBER_ORG_PERMS}


GRANT_COLUMNS = ["permission_id", "content_type_id", "object_pk", "user_id"]


def permissions_grant_user(*, organisation: Organisation, user, role: str | None = None) -> None:
    """After a change that only gives (a new membership in `role`): add the rows the user's roles now give, leaving
    the rows already there alone (one insert, no read of them); nothing is taken away. Rights only grow with roles,
    so the rows a student's or a parent's role adds are known without reading the person's other roles."""
    cts = _content_types()
    if role in ROLE_ALONE_ORG_PERMS:
        wanted = {("organisation", p, organisation.pk) for p in ROLE_ALONE_ORG_PERMS[role]}
    else:
        wanted = desired_permissions(organisation, user)
    if wanted:
        ids = _permission_id_map(cts)
        values = [
            value
            for model, codename, pk in sorted(wanted)
            for value in (ids[(model, codename)], cts[model].pk, str(pk), user.pk)
        ]
        # Written out: the ORM's building of the bulk insert cost more than its running, for every joiner.
        table = connection.ops.quote_name(UserObjectPermission._meta.db_table)
        sql = insert_ignoring(table, GRANT_COLUMNS, len(wanted))
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
    _rights_forget(user)


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
