"""Who may do what in stats. The rights are the organisation's (granted by orgs as memberships change); this module
names which one each action needs: `<VERB>_<THING>` the codename, `can_<verb>_<thing>(user, organisation)` answers,
`require_<verb>_<thing>(user, organisation)` raises PermissionDenied. A municipality's statistics are its
methodologists' (stats.areas.area_get), not a right of an organisation."""

from django.utils.translation import gettext as _

from orgs.permissions import require

# The whole organisation's dashboard, reports and targets (administrators, leaders); a curator sees their classes'
# statistics through the group right «view_group_statistics» (stats.dashboard.stats_scope).
VIEW_STATISTICS = "view_statistics"
# Changing the organisation's targets: its administrators.
SET_TARGETS = "manage_org"


def can_view_statistics(user, organisation) -> bool:
    return user.has_perm(f"orgs.{VIEW_STATISTICS}", organisation)


def can_set_targets(user, organisation) -> bool:
    return user.has_perm(f"orgs.{SET_TARGETS}", organisation)


def require_view_statistics(user, organisation) -> None:
    require(user, VIEW_STATISTICS, organisation)


def require_set_targets(user, organisation) -> None:
    require(user, SET_TARGETS, organisation, _("Целевые значения меняет администратор организации."))
