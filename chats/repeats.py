"""Whether a message repeats its author's text of the previous 24 hours, worked out when the message is written.

A message is a repeat when the same author wrote the same text (by its digest, see `chats.text`) in a chat of the
same organisation at most 24 hours before it, and that copy is not deleted. A deleted message, a system notice
and a message without text are never repeats.

The mark is kept with the message (`Message.repeats`) so that counting a day's repeats reads only that day's
messages, not the day before as well. It is written with a new message by one indexed look-up inside its INSERT,
and recounted for the author's messages of the next 24 hours whenever a message's text changes or it is deleted —
the only changes that can turn a later copy into a repeat or back — and for the messages of a bulk load.
"""

from datetime import datetime, timedelta

from django.db import connection
from django.db.models import BooleanField, Exists, Max, Min, OuterRef, Q
from django.db.models.expressions import RawSQL

from .text import Shape

REPEAT_WINDOW = timedelta(hours=24)


def changes_copies(update_fields) -> bool:
    """Whether a save of a message (its `update_fields`, None for all) changes its text or deletes it: what can
    turn the author's later copies into repeats or back."""
    return update_fields is None or not {"text", "deleted_at"}.isdisjoint(update_fields)


def _copies(model, organisation_id: int):
    """The organisation's messages that count as an earlier copy: by a person, not deleted."""
    return model.objects.filter(chat__organisation_id=organisation_id, author__isnull=False, deleted_at__isnull=True)


def repeats_new(model, *, organisation_id: int, author_id: int | None, shape: int, digest: int, at: datetime):
    """Whether a message being written now, at `at`, repeats an earlier one: False for a system notice or a message
    without text, else the probe of the (author, digest, created_at) index as an SQL expression, which the message's
    INSERT evaluates — so that posting costs no query more. Written out: it is built on every post."""
    if author_id is None or shape == Shape.EMPTY:
        return False
    qn = connection.ops.quote_name
    chat = model._meta.get_field("chat").related_model
    adapt = connection.ops.adapt_datetimefield_value
    statement = f"""
        EXISTS (SELECT 1 FROM {qn(model._meta.db_table)} m JOIN {qn(chat._meta.db_table)} c ON c.id = m.chat_id
            WHERE m.author_id = %s AND m.text_digest = %s AND m.created_at >= %s AND m.created_at <= %s
                AND m.deleted_at IS NULL AND c.organisation_id = %s)
    """  # noqa: S608  (table names from the models, values as parameters)
    params = (author_id, digest, adapt(at - REPEAT_WINDOW), adapt(at), organisation_id)
    return RawSQL(statement, params, output_field=BooleanField())


def repeats_recount(
    model, *, organisation_id: int, since: datetime, until: datetime, author_id: int | None = None, digests=None
) -> int:
    """Write the mark anew for the organisation's messages from `since` to `until` (of one author and some texts
    only, if given): a message is a repeat when an earlier copy — older, or as old with a smaller id — exists in
    the window. Returns the marks changed.

    Two set-based UPDATEs that write only the rows whose mark changes (the marks set, then the marks cleared): a
    recount of a whole history — the migration that added the mark, a bulk load — rewrites the few repeats, not
    every row, so the messages stay where they were written, a day's next to each other."""
    earlier = (
        _copies(model, organisation_id)
        .filter(
            author_id=OuterRef("author_id"),
            text_digest=OuterRef("text_digest"),
            created_at__gte=OuterRef("created_at") - REPEAT_WINDOW,
        )
        .filter(Q(created_at__lt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), pk__lt=OuterRef("pk")))
    )
    repeat = Q(author__isnull=False, deleted_at__isnull=True) & ~Q(text_shape=Shape.EMPTY) & Exists(earlier)
    targets = model.objects.filter(chat__organisation_id=organisation_id, created_at__gte=since, created_at__lte=until)
    if author_id is not None:
        targets = targets.filter(author_id=author_id)
    if digests is not None:
        targets = targets.filter(text_digest__in=list(digests))
    marked = targets.filter(repeat, repeats=False).update(repeats=True)
    return marked + targets.filter(repeats=True).exclude(repeat).update(repeats=False)


def repeats_recount_history(model) -> int:
    """Write the mark anew for every message of every organisation (the migration that added it, a database
    loaded by hand): one `repeats_recount` per organisation over its whole history. Returns the marks changed."""
    spans = (
        model.objects.values("chat__organisation_id")
        .annotate(since=Min("created_at"), until=Max("created_at"))
        .order_by()
    )
    return sum(
        repeats_recount(model, organisation_id=span["chat__organisation_id"], since=span["since"], until=span["until"])
        for span in spans
    )
