"""Reads of the roster app: imports only for those who may import, and only of their organisation."""

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from invites.models import Invite
from orgs.models import Group, Organisation
from portal.exceptions import NotFound

from .models import KitPrint, RosterEntry, RosterImport
from .permissions import require_manage_roster


def roster_imports_for(user, organisation: Organisation):
    """The organisation's imports, newest first; administrators only."""
    require_manage_roster(user, organisation)
    return RosterImport.objects.filter(organisation=organisation).select_related("created_by").defer("rows")


def roster_import_get(user, organisation: Organisation, import_id) -> RosterImport:
    require_manage_roster(user, organisation)
    try:
        return RosterImport.objects.select_related("organisation", "created_by").get(
            organisation=organisation, pk=int(import_id)
        )
    except (RosterImport.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("Импорт не найден."), code="roster_import_not_found") from None


def roster_entries_waiting(organisation: Organisation, group=None):
    """Roster entries whose person has not joined yet (for a class, when given)."""
    qs = RosterEntry.objects.filter(organisation=organisation, user__isnull=True)
    return qs.filter(group=group) if group is not None else qs


ALL_CLASSES = object()


def roster_import_links(imp: RosterImport, group_id=ALL_CLASSES) -> list[tuple[Group | None, list[Invite]]]:
    """The working personal links the import made (each person's own, then their parent's), by class in the
    structure's order (the staff's links, without a class, last), each class's by the list's surnames.

    With `group_id`, only that class's section (None: the links without a class), as the kits' job prints it."""
    entries = RosterEntry.objects.filter(source=imp)
    if group_id is not ALL_CLASSES:
        entries = entries.filter(
            Q(invite__target_group_id=group_id) | Q(parent_invite__target_group_id=group_id)
            if group_id is not None
            else Q(invite__isnull=False, invite__target_group__isnull=True)
            | Q(parent_invite__isnull=False, parent_invite__target_group__isnull=True)
        )
    entries = entries.select_related("invite__target_group", "parent_invite__target_group").order_by(
        F("group__grade").asc(nulls_last=True),
        F("group__name").asc(nulls_last=True),
        "last_name",
        "first_name",
        "patronymic",
        "pk",
    )
    now = timezone.now()
    sections: dict = {}
    for entry in entries:
        for invite in (entry.invite, entry.parent_invite):
            if invite is None or invite.status != Invite.Status.ACTIVE or invite.expires_at <= now:
                continue
            if group_id is not ALL_CLASSES and invite.target_group_id != group_id:
                continue
            sections.setdefault(invite.target_group_id, (invite.target_group, []))[1].append(invite)
    return sorted(sections.values(), key=lambda section: section[0] is None)


# ---- «Распечатать все комплекты» ----------------------------------------------------------------------------


def kit_print_running(imp: RosterImport) -> KitPrint | None:
    """The import's job still under way, if any (one that lost its worker is not: a new click starts another)."""
    return KitPrint.objects.filter(KitPrint.busy_filter(), source=imp).order_by("-created_at", "-id").first()


def kit_print_latest(imp: RosterImport) -> KitPrint | None:
    """What the import's page shows: the job under way, else the last one (done or failed)."""
    finished = KitPrint.objects.filter(source=imp).exclude(status__in=KitPrint.UNDER_WAY)
    return kit_print_running(imp) or finished.order_by("-created_at", "-id").first()


def kit_print_get(imp: RosterImport, job_id) -> KitPrint:
    """One kits' job of the import (the caller has the import through `roster_import_get`); else NotFound."""
    try:
        return KitPrint.objects.get(source=imp, pk=int(job_id))
    except (KitPrint.DoesNotExist, TypeError, ValueError):
        raise NotFound(_("Комплекты не найдены."), code="kit_print_not_found") from None
