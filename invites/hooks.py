"""What higher apps may hook into: the invites app knows nothing of them, so those that care register here.

`redemption_listeners` are called as `listener(invite=…, user=…, membership=…)` when a person has joined by an
invite, inside the redemption's transaction, so that what they write exists together with the membership or not
at all.
"""

from collections.abc import Callable
from dataclasses import dataclass

redemption_listeners: list[Callable] = []


@dataclass(frozen=True)
class PendingChild:
    """The child a parent's link is for who has no account yet (a young pupil of an imported roster): `name` is shown
    on the join page; `make(parent)` creates the child's account, in the class, inside the redemption's transaction."""

    name: str
    make: Callable


# invite → PendingChild | None, for a parent's link that names no child account yet. The first answer counts.
pending_child_providers: list[Callable] = []


def pending_child(invite) -> PendingChild | None:
    for provider in pending_child_providers:
        found = provider(invite)
        if found is not None:
            return found
    return None
