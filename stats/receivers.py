"""News from orgs and chats that the statistics need: changes dated in the past (imports, corrections in the
admin) mark the filled days they fall in for recount. Everyday changes are dated "now" and cost no query here, but
for a person's first message of the day, which writes their day row (see `services/seen.py`).

The history rows remember their dates as loaded (post_init), so that a save can tell which dates it changed.
"""

from django.db.models.signals import post_init, post_save
from django.dispatch import receiver

from chats.models import Message
from chats.repeats import REPEAT_WINDOW, changes_copies
from orgs.models import CuratorAssignment, Membership, ParentLink, Placement

from .services.dirty import is_backdated, stats_mark_changed
from .services.seen import took_part_mark

HISTORY_DATES = {
    Membership: ("valid_from", "valid_to", "verified_at"),
    Placement: ("valid_from", "valid_to"),
    ParentLink: ("valid_from", "valid_to"),
    CuratorAssignment: ("valid_from", "valid_to"),
}


def _dates(instance) -> dict:
    """The history dates the instance holds. A deferred one (a row loaded with `only()`, as deleting a person loads
    their memberships) is left out: reading it would load the row again, whose post_init would read it again."""
    loaded = instance.__dict__
    return {name: loaded[name] for name in HISTORY_DATES[type(instance)] if name in loaded}


def _remember(sender, instance, **kwargs):
    instance._stats_dates = _dates(instance)


def _history_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = {} if created else getattr(instance, "_stats_dates", {})
    after = _dates(instance)
    changed = [value for name, value in after.items() if value != before.get(name)]
    changed += [before[name] for name in after if name in before and after[name] != before[name]]
    backdated = [d for d in changed if is_backdated(d)]
    if backdated:
        stats_mark_changed(organisation_id=instance.organisation_id, since=min(backdated))
    instance._stats_dates = after


for _model in HISTORY_DATES:
    post_init.connect(_remember, sender=_model, dispatch_uid=f"stats.remember.{_model.__name__}")
    post_save.connect(_history_saved, sender=_model, dispatch_uid=f"stats.saved.{_model.__name__}")


@receiver(post_save, sender=Message, dispatch_uid="stats.message_saved")
def _message_saved(sender, instance, created, raw=False, **kwargs):
    """A message dated in the past marks its day for recount; a message of today writes its author's day row (on
    their first post of the day in the organisation: one query, then none until the day ends). An edit or a
    deletion: see `_message_changed`."""
    if raw:
        return
    if not created:
        _message_changed(instance, kwargs.get("update_fields"))
        return
    chat = instance.chat
    if is_backdated(instance.created_at):
        stats_mark_changed(organisation_id=chat.organisation_id, since=instance.created_at)
    elif instance.author_id is not None:
        took_part_mark(
            user_id=instance.author_id,
            organisation_id=chat.organisation_id,
            time_zone=lambda: chat.organisation.time_zone,  # read only on the first post of the day
            at=instance.created_at,
        )


def _message_changed(message: Message, update_fields) -> None:
    """An edit or a deletion of a message of a filled day marks its day for recount, and the next day too when
    the author's copies of the text in the 24 hours after it may have stopped or started being repeats."""
    if not changes_copies(update_fields):
        return
    if is_backdated(message.created_at):
        stats_mark_changed(
            organisation_id=message.chat.organisation_id,
            since=message.created_at,
            until=message.created_at + REPEAT_WINDOW,
        )
