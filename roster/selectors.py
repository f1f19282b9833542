"""Reads of the roster app: imports only for those who may import, and only of their organisation."""

from orgs.models import Organisation
from orgs.permissions import require
from portal.exceptions import NotFound

from .models import RosterEntry, RosterImport


def roster_imports_for(user, organisation: Organisation):
    """The organisation's imports, newest first; administrators only."""
    require(user, "manage_movement", organisation)
    return RosterImport.objects.filter(organisation=organisation).select_related("created_by").defer("rows")


def roster_import_get(user, organisation: Organisation, import_id) -> RosterImport:
    require(user, "manage_movement", organisation)
    try:
        return RosterImport.objects.select_related("organisation", "created_by").get(
            organisation=organisation, pk=int(import_id)
        )
    except (RosterImport.DoesNotExist, TypeError, ValueError):
        raise NotFound("Импорт не найден.", code="roster_import_not_found") from None


def roster_entries_waiting(organisation: Organisation, group=None):
    """Roster entries whose person has not joined yet (for a class, when given)."""
    qs = RosterEntry.objects.filter(organisation=organisation, user__isnull=True)
    return qs.filter(group=group) if group is not None else qs
