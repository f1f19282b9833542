"""Who may do what in safety. The rights are the organisation's (granted by orgs as memberships change); this module
names which one each action needs: `<VERB>_<THING>` the codename, `can_<verb>_<thing>(user, organisation)` answers,
`require_<verb>_<thing>(user, organisation)` raises PermissionDenied."""

from orgs.permissions import require

# The incidents, ending a member's sessions: administrators only (orgs.permissions.ADMIN_ORG_PERMS).
MANAGE_INCIDENTS = "manage_org"


def can_manage_incidents(user, organisation) -> bool:
    return user.has_perm(f"orgs.{MANAGE_INCIDENTS}", organisation)


def require_manage_incidents(user, organisation) -> None:
    require(user, MANAGE_INCIDENTS, organisation)
