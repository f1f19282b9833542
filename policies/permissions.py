"""Who may do what with the regulations (SPEC: administrators prepare, the director approves, everyone reads)."""

from django.utils.translation import gettext as _

from orgs.models import Membership, Organisation
from portal.exceptions import PermissionDenied


def is_admin(user, organisation: Organisation) -> bool:
    return user.is_authenticated and user.is_active and user.has_perm("orgs.manage_org", organisation)


def is_director(user, organisation: Organisation) -> bool:
    """The organisation's head: an active staff member whose position is «руководитель»."""
    return (
        user.is_authenticated
        and user.is_active
        and Membership.objects.filter(
            organisation=organisation,
            user=user,
            role=Membership.Role.TEACHER,
            position=Membership.Position.DIRECTOR,
            valid_to__isnull=True,
        )
        .exclude(verification=Membership.Verification.REJECTED)
        .exists()
    )


def sees_drafts(user, organisation: Organisation) -> bool:
    """Drafts and versions on agreement are shown to the administrators and the director only."""
    return is_admin(user, organisation) or is_director(user, organisation)


def require_admin(user, organisation: Organisation) -> None:
    if not is_admin(user, organisation):
        raise PermissionDenied(_("Это могут делать только администраторы организации."))


def require_director(user, organisation: Organisation) -> None:
    if not is_director(user, organisation):
        raise PermissionDenied(_("Утверждает документ только директор организации."))
