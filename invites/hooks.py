"""What higher apps may hook into: the invites app knows nothing of them, so those that care register here.

`redemption_listeners` are called as `listener(invite=…, user=…, membership=…)` when a person has joined by an
invite, inside the redemption's transaction, so that what they write exists together with the membership or not
at all.
"""

from collections.abc import Callable

redemption_listeners: list[Callable] = []
