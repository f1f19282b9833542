"""Who may do what with the regulations (SPEC: administrators prepare, the director approves, everyone reads).

Named as in every app: `can_<verb>_<thing>(user, organisation)` answers, `require_<…>` raises PermissionDenied with
the reason; who a person is (`is_director`) is asked of orgs.permissions."""

from django.utils.translation import gettext as _

from orgs.models import Organisation
from orgs.permissions import is_director
from portal.exceptions import PermissionDenied


def can_manage_documents(user, organisation: Organisation) -> bool:
    """Drafts, agreement, responsible persons and paper signatures: the administrators (the organisation's
    «manage_org» right)."""
    return user.is_authenticated and user.is_active and user.has_perm("orgs.manage_org", organisation)


def can_see_drafts(user, organisation: Organisation) -> bool:
    """Drafts and versions on agreement are shown to the administrators and the director only."""
    return can_manage_documents(user, organisation) or is_director(user, organisation)


def require_manage_documents(user, organisation: Organisation) -> None:
    if not can_manage_documents(user, organisation):
        raise PermissionDenied(_("Это могут делать только администраторы организации."))


def require_director(user, organisation: Organisation) -> None:
    if not is_director(user, organisation):
        raise PermissionDenied(_("Утверждает документ только директор организации."))
