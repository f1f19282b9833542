"""The system channels every organisation has: the general channel and the staff channel."""

from orgs.models import Organisation

from ..models import Chat
from ..titles import system_channel_title


def system_channels_ensure(*, organisation: Organisation) -> tuple[list[Chat], int]:
    """Create the organisation's general and staff channels where missing; returns them and how many were new."""
    existing = {c.kind: c for c in Chat.objects.filter(organisation=organisation, kind__in=Chat.SYSTEM_KINDS)}
    created = 0
    for kind in Chat.SYSTEM_KINDS:
        if kind not in existing:
            # get_or_create: a concurrent sync that created the channel first wins; the unique constraint decides.
            existing[kind], was_created = Chat.objects.get_or_create(
                organisation=organisation, kind=kind, defaults={"title": system_channel_title(organisation, kind)}
            )
            created += was_created
    return [existing[kind] for kind in Chat.SYSTEM_KINDS], created
