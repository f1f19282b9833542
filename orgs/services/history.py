"""The person's history: one row per movement, written by the services that move people."""

from portal.sql import insert_instance

from ..movement_models import Movement


def movement_record(
    *,
    organisation,
    user,
    kind: str,
    actor=None,
    role: str = "",
    reason: str = "",
    from_group=None,
    to_group=None,
    from_name: str = "",
    to_name: str = "",
) -> Movement:
    """Append one step to the person's history in the organisation (the names are kept as they are now)."""
    row = Movement(
        organisation=organisation,
        user=user,
        kind=kind,
        role=role,
        reason=(reason or "").strip()[:255],
        from_group=from_group,
        to_group=to_group,
        from_name=(from_name or (from_group.name if from_group is not None else ""))[:300],
        to_name=(to_name or (to_group.name if to_group is not None else ""))[:300],
        actor=actor if (actor is not None and actor.is_authenticated) else None,
    )
    insert_instance(row)  # as `save()` does, by a statement built once
    return row
