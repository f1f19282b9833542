"""What a staff row of the roster says, applied to the teacher who joins by its personal link.

The row was written by the administrator who imported it: position, subjects, classes taught, class curated. The
SPEC keeps every teacher who joins unverified until an administrator confirms them (a personal link can be passed
on), so what gives rights beyond an unverified teacher's waits for that confirmation, as a curator link does:
- at joining: the position (unless it is a leading one) and the teaching assignments (classes × subjects), which
  give an unverified teacher no more than the roster view of those classes;
- at confirmation: a leading position (director, deputy) and the curatorship of the named class.
"""

import logging

from django.db import transaction

from orgs.models import Group, Membership
from orgs.permissions import LEADER_POSITIONS, permissions_sync_user
from orgs.services.membership import curator_assign, teaching_assign
from portal.exceptions import PortalError

from ..models import RosterEntry, RosterKind
from ..planning import class_key, split_list

logger = logging.getLogger("roster.staff")
Position = Membership.Position

# The words e-journals put in «Должность», lower-cased, spaces squeezed; the first one found in the text wins.
POSITION_WORDS = [
    ("заместитель", Position.DEPUTY),
    ("зам.", Position.DEPUTY),
    ("замдиректора", Position.DEPUTY),
    ("директор", Position.DIRECTOR),
    ("руководитель", Position.DIRECTOR),
    ("заведующ", Position.DIRECTOR),
    ("методист", Position.METHODIST),
    ("психолог", Position.PSYCHOLOGIST),
    ("социальн", Position.SOCIAL),
    ("учитель", Position.TEACHER),
    ("преподаватель", Position.TEACHER),
    ("педагог", Position.TEACHER),
    ("воспитатель", Position.TEACHER),
    ("мастер", Position.TEACHER),
]


def position_from_text(text: str) -> str:
    """The membership's position for the roster's «Должность» («учитель» → teacher); "" when it is not known."""
    words = " ".join((text or "").lower().split())
    if not words:
        return ""
    return next((position for word, position in POSITION_WORDS if word in words), Position.OTHER)


def _classes(organisation, names: list[str]) -> list[Group]:
    wanted = {class_key(name) for name in names}
    if not wanted:
        return []
    found = Group.objects.filter(organisation=organisation, kind=Group.Kind.CLASS, is_archived=False)
    return [group for group in found if class_key(group.name) in wanted]


def _quietly(what: str, entry: RosterEntry, apply) -> bool:
    """Apply one detail in a savepoint: a detail that no longer fits (class archived, the importing administrator
    no longer one) is left out and logged, never undoing the joining itself."""
    try:
        with transaction.atomic():
            apply()
    except PortalError as error:
        logger.info("Roster entry %s: %s not applied: %s", entry.pk, what, error)
        return False
    return True


def _set_position(membership: Membership, position: str) -> None:
    if position and membership.position != position:
        membership.position = position
        membership.save(update_fields=["position"])
        permissions_sync_user(organisation=membership.organisation, user=membership.user)


def staff_entry_apply(*, entry: RosterEntry, membership: Membership) -> dict:
    """At joining (inside the redemption's transaction): the row's position and teaching assignments; the rest
    waits for confirmation (or is applied now if the teacher is already confirmed). Returns what was applied; the
    assignments write the audit log themselves, in the name of the administrator who imported the row."""
    if entry.kind != RosterKind.STAFF or membership.role != Membership.Role.TEACHER:
        return {}
    actor = entry.source.created_by if entry.source_id else None
    position = position_from_text(entry.position)
    applied = {"position": "", "teaching": [], "curator_of": ""}
    if position and (position not in LEADER_POSITIONS or membership.is_verified_teacher):
        _set_position(membership, position)
        applied["position"] = position
    subjects = split_list(entry.subjects)
    for group in _classes(membership.organisation, split_list(entry.classes_taught)) if actor else []:
        for subject in subjects:
            if _quietly(
                "teaching",
                entry,
                lambda g=group, s=subject: teaching_assign(group=g, teacher=membership.user, subject=s, actor=actor),
            ):
                applied["teaching"].append(f"{group.name}: {subject}")
    if membership.is_verified_teacher:
        applied.update({k: v for k, v in staff_entry_confirm(membership=membership, actor=actor).items() if v})
    return applied


def staff_entry_confirm(*, membership: Membership, actor) -> dict:
    """When the teacher is confirmed: the leading position and the curatorship their roster row names."""
    entry = (
        RosterEntry.objects.filter(organisation=membership.organisation, kind=RosterKind.STAFF, user=membership.user)
        .order_by("-joined_at", "-id")
        .first()
    )
    if entry is None or actor is None or not membership.is_verified_teacher:
        return {}
    applied = {"position": "", "curator_of": ""}
    position = position_from_text(entry.position)
    if position in LEADER_POSITIONS:
        _set_position(membership, position)
        applied["position"] = position
    groups = _classes(membership.organisation, split_list(entry.curator_of)[:1])
    if groups and _quietly(
        "curatorship", entry, lambda: curator_assign(group=groups[0], teacher=membership.user, actor=actor)
    ):
        applied["curator_of"] = groups[0].name
    return applied
