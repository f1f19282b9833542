"""Announcements other apps may listen to (chats create system channels on these)."""

from django.db import transaction
from django.dispatch import Signal

organisation_created = Signal()  # organisation

# A teacher's status was confirmed (invites make a curator-link's teacher the class's curator on it).
teacher_verified = Signal()  # organisation, membership

# Who and which classes a change of memberships, placements, assignments, parent links or classes touched.
structure_changed = Signal()  # organisation, user_ids, group_ids


def structure_changed_after_commit(*, organisation, users=(), groups=()) -> None:
    """Announce a structural change once the transaction commits.

    Listeners then read the committed structure, a rolled-back change announces nothing, and a failing
    listener cannot undo the change (robust): `resync_chats` repairs what it missed.
    """
    user_ids = sorted({getattr(u, "pk", u) for u in users if u is not None})
    group_ids = sorted({getattr(g, "pk", g) for g in groups if g is not None})
    if not user_ids and not group_ids:
        return
    transaction.on_commit(
        lambda: structure_changed.send(
            sender=type(organisation), organisation=organisation, user_ids=user_ids, group_ids=group_ids
        ),
        robust=True,
    )


def teacher_verified_after_commit(*, membership) -> None:
    """Announce a confirmed teacher once the verification commits (listeners act in their own transaction)."""
    transaction.on_commit(
        lambda: teacher_verified.send(
            sender=type(membership), organisation=membership.organisation, membership=membership
        ),
        robust=True,
    )
