"""A person of the roster joins by their personal link: the entry becomes theirs, no second person is made."""

from django.utils import timezone

from invites.models import Invite, InviteRole

from ..models import RosterEntry, RosterKind
from .staff_joining import staff_entry_apply


def roster_entry_joined(*, invite: Invite, user, membership) -> None:
    """Called by the invites app inside the redemption's transaction (the membership and placement exist).

    A student's entry takes the account; the parent's link of that entry is bound to the child from now on, so
    that the parent who comes later joins linked to them without choosing from the class list. A teacher's entry
    brings what the administrator's row says (position, subjects, classes, curatorship: see staff_joining).
    """
    if invite.role not in (InviteRole.STUDENT, InviteRole.TEACHER) or invite.max_uses != 1:
        return  # the roster's links are personal, one use each: a class's shared link has no entry to look up
    entry = RosterEntry.objects.filter(invite=invite, user__isnull=True).first()
    if entry is None:
        return
    entry.user, entry.joined_at = user, timezone.now()
    if invite.target_group_id and invite.role == InviteRole.STUDENT:
        entry.group_id = invite.target_group_id
    entry.save(update_fields=["user", "joined_at", "group"])
    if entry.kind == RosterKind.STAFF:
        staff_entry_apply(entry=entry, membership=membership)
    if entry.parent_invite_id:
        Invite.objects.filter(pk=entry.parent_invite_id, bound_student__isnull=True).update(bound_student=user)
