"""Activity of each local day: messages by chat kind and by the sender's role, trivial ones apart, files, polls
and events; and the chats active in the seven days up to the day's end."""

from datetime import timedelta

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.expressions import Case

from chats.models import Attachment, Chat, Event, Message, Poll
from chats.text import Shape
from orgs.models import Membership

from ..days import Batch
from ..registry import BatchRows, Grain, Indicator, Kind, register
from ..trivial import REASONS, REPEAT, SHAPE_REASONS
from ._common import sql_of

ACTIVE_WINDOW = timedelta(days=7)
# The role a message is counted under when its author holds several in the organisation.
ROLE_ORDER = (Membership.Role.ADMIN, Membership.Role.TEACHER, Membership.Role.STUDENT, Membership.Role.PARENT)


def _judged_messages(batch: Batch):
    """The day's messages, each with what the day's counts need: whether it has files (f) or a poll (p), may be
    judged at all (j: a person's message not deleted), its shape (s) and whether it repeats a text (r).

    Whether it repeats the author's text of the previous 24 hours was worked out when it was written (see
    `chats.repeats`), so the day before is not read."""
    flag = {"default": Value(0), "output_field": IntegerField()}
    return (
        Message.objects.filter(
            chat__organisation_id__in=batch.organisation_ids, created_at__gte=batch.start, created_at__lt=batch.end
        )
        .values(
            o=F("chat__organisation_id"),
            a=F("author_id"),
            k=F("chat__kind"),
            g=F("chat__group_id"),
            f=Case(When(Exists(Attachment.objects.filter(message=OuterRef("pk"))), then=Value(1)), **flag),
            p=Case(When(Exists(Poll.objects.filter(message=OuterRef("pk"))), then=Value(1)), **flag),
            j=Case(
                When(Q(author__isnull=True) | Q(deleted_at__isnull=False), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            s=F("text_shape"),
            r=Case(When(repeats=True, then=Value(1)), **flag),
        )
        .order_by()
    )


def _reason_sql(why: str) -> str:
    """When a row of `_judged_messages` is trivial for the reason `why` (see `stats.trivial.triviality`): files and
    polls are content; an empty text is never a repeat; a repeat is one whatever its shape."""
    judged = "x.j = 1 AND x.f = 0 AND x.p = 0"
    empty = int(Shape.EMPTY)
    if why == REPEAT:
        return f"{judged} AND x.s <> {empty} AND x.r = 1"
    shapes = [int(kind) for kind, reason in SHAPE_REASONS.items() if reason == why and kind != Shape.EMPTY]
    cases = [f"(x.r = 0 AND x.s IN ({', '.join(map(str, shapes))}))"] if shapes else []
    if SHAPE_REASONS.get(Shape.EMPTY) == why:
        cases.append(f"x.s = {empty}")
    return f"{judged} AND ({' OR '.join(cases) or '1 = 0'})"


def _ranks_sql(batch: Batch) -> tuple[str, tuple]:
    """The main role (its index in ROLE_ORDER) of each author of `x` — the day's messages — in the organisation at
    the day's end: the memberships of the day's authors only, not of everyone in the batch's schools."""
    table = connection.ops.quote_name(Membership._meta.db_table)
    rank = " ".join(f"WHEN %s THEN {n}" for n in range(len(ROLE_ORDER)))
    statement = f"""
        SELECT m.organisation_id AS mo, m.user_id AS mu, MIN(CASE m.role {rank} END) AS rank
        FROM {table} m JOIN (SELECT DISTINCT x.o, x.a FROM x WHERE x.a IS NOT NULL) d
            ON m.organisation_id = d.o AND m.user_id = d.a
        WHERE m.valid_from < %s AND (m.valid_to IS NULL OR m.valid_to >= %s)
        GROUP BY m.organisation_id, m.user_id
    """  # noqa: S608  (the table's name from the model, values as parameters)
    instant = connection.ops.adapt_datetimefield_value(batch.end)
    return statement, (*ROLE_ORDER, instant, instant)


def _day_messages(batch: Batch, out: BatchRows) -> None:
    """The day's messages counted in one read of them: by chat, files and polls, and the trivial ones by reason,
    and the author's main role in the organisation at the day's end (looked up for the day's authors only) —
    grouped in the database by what the rows count (a few thousand groups for a district's day, not a row per
    message).

    Each message is joined to its author's role and grouped once: grouping by author first, to join the roles to
    fewer rows, cost more than it saved (a day's author writes one or two messages in a chat: the benchmark's 72,000
    messages of a day made 51,000 such groups) — the statement took 0.62 s instead of 0.50 s."""
    inner, params = sql_of(_judged_messages(batch))
    trivial = ", ".join(f"SUM(CASE WHEN {_reason_sql(why)} THEN 1 ELSE 0 END)" for why in REASONS)
    ranks, rank_params = _ranks_sql(batch)
    statement = f"""
        WITH x AS ({inner}), r AS ({ranks})
        SELECT x.o, x.k, x.g, r.rank, x.a IS NULL, COUNT(*), SUM(x.f), SUM(x.p), {trivial}
        FROM x LEFT JOIN r ON r.mo = x.o AND r.mu = x.a
        GROUP BY x.o, x.k, x.g, r.rank, x.a IS NULL
    """  # noqa: S608  (the inner query built by the ORM, values as parameters; shapes are integers of the code)
    with connection.cursor() as cursor:
        cursor.execute(statement, (*params, *rank_params))
        groups = cursor.fetchall()
    for org, kind, group_id, main_role, system, n, files, polls, *reasons in groups:
        role = "system" if system else "none" if main_role is None else ROLE_ORDER[main_role]
        rows = out[org]
        n, files, polls, reasons = int(n), int(files), int(polls), [int(r) for r in reasons]
        rows.add("messages", n)
        rows.add(f"messages.kind.{kind}", n)
        rows.add(f"messages.role.{role}", n)
        if group_id:
            rows.add_class(group_id, "messages", n)
            rows.add_class(group_id, f"messages.kind.{kind}", n)
        rows.add("messages.with_files", files)
        rows.add("polls", polls)
        for why, count in zip(REASONS, reasons, strict=True):
            if count:
                rows.add("messages.trivial", count)
                rows.add(f"messages.trivial.{why}", count)
                if group_id:
                    rows.add_class(group_id, "messages.trivial", count)


def compute(batch: Batch) -> BatchRows:
    out = BatchRows()
    _day_messages(batch, out)
    events = Event.objects.filter(
        organisation_id__in=batch.organisation_ids, created_at__gte=batch.start, created_at__lt=batch.end
    )
    for row in events.values("organisation_id", "kind").annotate(n=Count("id")).order_by():
        out[row["organisation_id"]].add(f"events.{row['kind']}", row["n"])
    return out


def compute_active_chats(batch: Batch) -> BatchRows:
    """Chats with a person's message in the seven days up to the day's end: one probe of each chat's
    (chat, created_at) index, never a scan of the week's messages."""
    out = BatchRows()
    human = Message.objects.filter(
        chat=OuterRef("pk"),
        created_at__gte=batch.end - ACTIVE_WINDOW,
        created_at__lt=batch.end,
        author__isnull=False,
    )
    active = Chat.objects.filter(Exists(human), organisation_id__in=batch.organisation_ids).order_by()
    for org, kind, group_id in active.values_list("organisation_id", "kind", "group_id"):
        rows = out[org]
        rows.add("chats.active_7d")
        rows.add(f"chats.active_7d.{kind}")
        if group_id:
            rows.add_class(group_id, "chats.active_7d")
    return out


register(
    Indicator(
        key="activity",
        version=1,
        kind=Kind.ADDITIVE,
        grains=(Grain.ORGANISATION, Grain.CLASS),
        compute=compute,
        description="Сообщения за день по видам чатов и ролям, малосодержательные отдельно; файлы, опросы, события.",
    )
)
register(
    Indicator(
        key="chats_active",
        version=1,
        kind=Kind.SNAPSHOT,
        grains=(Grain.ORGANISATION, Grain.CLASS),
        compute=compute_active_chats,
        description="Чаты, в которых писали люди за 7 дней до конца дня.",
    )
)
