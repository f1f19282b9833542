"""Announcements other apps may listen to (chats create system channels on these)."""

from django.db import transaction
from django.dispatch import Signal

organisation_created = Signal()  # organisation

# A teacher's status was confirmed (invites make a curator-link's teacher the class's curator on it).
teacher_verified = Signal()  # organisation, membership

# Who and which classes a change of memberships, placements, assignments, parent links or classes touched.
structure_changed = Signal()  # organisation, user_ids, group_ids, additive


def structure_changed_after_commit(*, organisation, users=(), groups=(), additive=False) -> None:
    """Announce a structural change once the transaction commits.

    Listeners then read the committed structure, a rolled-back change announces nothing, and a failing
    listener cannot undo the change (robust): `resync_chats` repairs what it missed.

    `additive`: the change only gives these people something (a new membership, a first class, a new parent's
    link) and takes nothing from anyone, so listeners may add what follows from it without re-deriving the rest.
    One transaction's announcement is additive only while every change it carries is.
    """
    user_ids = {getattr(u, "pk", u) for u in users if u is not None}
    group_ids = {getattr(g, "pk", g) for g in groups if g is not None}
    if not user_ids and not group_ids:
        return
    connection = transaction.get_connection()
    pending = connection.__dict__.setdefault("_structure_pending", {})
    announcement = _Announcement(organisation, user_ids, group_ids, pending, additive)
    earlier = pending.get(organisation.pk)
    if earlier is not None and earlier.waiting(connection):
        # One transaction that enrols a student (a membership, then a placement) announces once, with both changes:
        # the earlier announcement, sent first at the commit, carries these ids too, and this one then stays
        # silent. It still waits on its own: should the earlier one never be sent, it announces its own ids.
        earlier.user_ids |= user_ids
        earlier.group_ids |= group_ids
        earlier.additive = earlier.additive and additive
        announcement.carried_by = earlier
    elif connection.in_atomic_block:
        pending[organisation.pk] = announcement
    transaction.on_commit(announcement.send, robust=True)


class _Announcement:
    """A structure_changed waiting for the commit of the current transaction; later changes of the same
    organisation in that transaction add their ids to it while it waits."""

    def __init__(self, organisation, user_ids: set, group_ids: set, pending: dict, additive: bool = False):
        self.organisation, self.user_ids, self.group_ids, self.pending = organisation, user_ids, group_ids, pending
        self.additive = additive
        self.sent = False
        self.carried_by = None

    def waiting(self, connection) -> bool:
        # Still queued: not sent yet, and not dropped with a savepoint rolled back since.
        return not self.sent and any(entry[1] == self.send for entry in connection.run_on_commit)

    def send(self) -> None:
        if self.carried_by is not None and self.carried_by.sent:
            return
        self.sent = True
        if self.pending.get(self.organisation.pk) is self:
            del self.pending[self.organisation.pk]
        structure_changed.send(
            sender=type(self.organisation),
            organisation=self.organisation,
            user_ids=sorted(self.user_ids),
            group_ids=sorted(self.group_ids),
            additive=self.additive,
        )


def teacher_verified_after_commit(*, membership) -> None:
    """Announce a confirmed teacher once the verification commits (listeners act in their own transaction)."""
    transaction.on_commit(
        lambda: teacher_verified.send(
            sender=type(membership), organisation=membership.organisation, membership=membership
        ),
        robust=True,
    )


# A person's membership ended because they left (dismissed, expelled, graduated, transferred out, or any other end):
# what they may no longer use must stop. Higher apps act on it (chats pass ownership on, invites revoke the person's
# links and hand their pending decisions to the administrators).
member_left = Signal()  # organisation, user_id, role, kind, actor_id


def member_left_after_commit(*, organisation, user, role: str, kind: str, actor=None) -> None:
    """Announce that a person left in `role`, once the transaction commits (a rolled-back end announces nothing)."""
    user_id = getattr(user, "pk", user)
    actor_id = getattr(actor, "pk", None)
    transaction.on_commit(
        lambda: member_left.send(
            sender=type(organisation),
            organisation=organisation,
            user_id=user_id,
            role=role,
            kind=kind,
            actor_id=actor_id,
        ),
        robust=True,
    )
