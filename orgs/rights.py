"""The signed-in person's rights on organisations and groups, read once per request (docs/permissions-speed.md).

The store stays django-guardian's rows, which `orgs.permissions.permissions_sync_user` derives from memberships and
assignments. What changes is the reading: guardian's backend asks the database twice per check (the person's rows
and their auth groups' rows, for one object), and `get_objects_for_user` builds a subquery casting every id to text.
Here one query reads all the person's rows on organisations and groups, and their active roles (`roles_in`); every
check and every «which groups» list of the same request is answered from it.

The rights are kept on the user instance (one per request: the session's or the token's), and dropped whenever any
`permissions_sync_user` runs in the process (a generation counter), so a service that changes someone's rights in
the middle of a request is never answered from the old ones — whichever instance of the user it was given.
"""

import itertools
from dataclasses import dataclass, field

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils.functional import LazyObject
from guardian.models import UserObjectPermission

from .models import Group, Membership, Organisation

_ATTR = "_org_rights"
_generation = itertools.count(1)
_current = [next(_generation)]


def rights_changed() -> None:
    """Forget every rights read so far in this process (called by permissions_sync_user)."""
    _current[0] = next(_generation)


@dataclass
class Rights:
    generation: int
    organisations: dict[int, set[str]] = field(default_factory=dict)
    groups: dict[int, set[str]] = field(default_factory=dict)
    # The person's active roles by organisation, read with the rights they give (every change of roles syncs them).
    roles: dict[int, set[str]] = field(default_factory=dict)

    def on(self, obj) -> set[str]:
        """The codenames held on an organisation or a group (empty for anything else)."""
        if isinstance(obj, Organisation):
            return self.organisations.get(obj.pk, set())
        if isinstance(obj, Group):
            return self.groups.get(obj.pk, set())
        return set()

    def group_ids(self, codename: str) -> set[int]:
        return {pk for pk, codenames in self.groups.items() if codename in codenames}

    def organisation_ids(self, codename: str) -> set[int]:
        return {pk for pk, codenames in self.organisations.items() if codename in codenames}


# The person's rows on organisations and groups, and their active roles (content type 0), in one statement written
# by hand: the ORM's join cost ~0.3 ms to build on every request, and the roles were a query of their own on every
# page of an organisation (the navigation asks whether the person teaches there).
_READ_SQL = """
SELECT r.content_type_id, p.codename, r.object_pk
FROM {rows} r JOIN {perms} p ON p.id = r.permission_id
WHERE r.user_id = %s AND r.content_type_id IN (%s, %s)
UNION ALL
SELECT 0, m.role, CAST(m.organisation_id AS VARCHAR(40))
FROM {memberships} m WHERE m.user_id = %s AND m.valid_to IS NULL
"""


def _read(user) -> Rights:
    org_ct = ContentType.objects.get_for_model(Organisation)
    group_ct = ContentType.objects.get_for_model(Group)
    rights = Rights(generation=_current[0])
    sql = _READ_SQL.format(
        rows=UserObjectPermission._meta.db_table,
        perms=Permission._meta.db_table,
        memberships=Membership._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, org_ct.pk, group_ct.pk, user.pk])
        rows = cursor.fetchall()
    for content_type_id, codename, object_pk in rows:
        if content_type_id == 0:
            target = rights.roles
        else:
            target = rights.organisations if content_type_id == org_ct.pk else rights.groups
        target.setdefault(int(object_pk), set()).add(codename)
    return rights


def rights_of(user) -> Rights:
    """The user's rights on organisations and groups: one query per request (per user instance), none for guests."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Rights(generation=_current[0])
    if isinstance(user, LazyObject):  # request.user: keep the rights on the user itself, which backends are given
        user.is_active  # noqa: B018 — sets the wrapped user up
        user = user._wrapped
    rights = user.__dict__.get(_ATTR)
    if rights is None or rights.generation != _current[0]:
        rights = _read(user)
        user.__dict__[_ATTR] = rights
    return rights


def has_right(user, codename: str, obj) -> bool:
    """Whether the user holds the right (a codename of the orgs app) on the organisation or group; superusers too."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return codename in rights_of(user).on(obj)


def groups_with_right(user, codename: str, groups):
    """The groups of the queryset on which the user holds the right, as a queryset (no query of its own beyond the
    user's rights)."""
    if user is not None and user.is_authenticated and user.is_active and user.is_superuser:
        return groups
    return groups.filter(pk__in=rights_of(user).group_ids(codename))
