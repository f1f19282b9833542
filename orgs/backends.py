"""The object-permission backend: rights on organisations and groups from the per-request read of orgs.rights,
guardian's own checker for any other object."""

from guardian.backends import ObjectPermissionBackend

from .models import Group, Organisation
from .rights import rights_of


class OrgRightsBackend(ObjectPermissionBackend):
    def has_perm(self, user_obj, perm, obj=None):
        if not isinstance(obj, Organisation | Group):
            return super().has_perm(user_obj, perm, obj)
        if user_obj is None or not user_obj.is_authenticated or not user_obj.is_active:
            return False
        app_label, _, codename = perm.rpartition(".")
        if app_label not in ("", "orgs"):
            return False
        return codename in rights_of(user_obj).on(obj)
