"""Who may do what in roster. The rights are the organisation's (granted by orgs as memberships change); this module
names which one each action needs: `<VERB>_<THING>` the codename, `can_<verb>_<thing>(user, organisation)` answers,
`require_<verb>_<thing>(user, organisation)` raises PermissionDenied."""

from orgs.permissions import require

# Uploading, previewing and applying a roster, its kits and letters: who manages the movement of people.
MANAGE_ROSTER = "manage_movement"
# Letting an import create the classes it names that do not exist yet: who manages the organisation's structure.
CREATE_CLASSES = "manage_org"


def can_create_classes(user, organisation) -> bool:
    return user.has_perm(f"orgs.{CREATE_CLASSES}", organisation)


def require_manage_roster(user, organisation) -> None:
    require(user, MANAGE_ROSTER, organisation)


def require_create_classes(user, organisation) -> None:
    require(user, CREATE_CLASSES, organisation)
