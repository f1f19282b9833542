"""Activity of each local day: messages by chat kind and by the sender's role, trivial ones apart, files, polls
and events; and the chats active in the seven days up to the day's end."""

from datetime import timedelta

from django.db import connection
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Value,
    When,
    Window,
)
from django.db.models.expressions import Case
from django.db.models.functions import Lag

from chats.models import Attachment, Chat, Event, Message, Poll
from chats.text import Shape
from orgs.models import Membership

from ..days import Batch
from ..registry import BatchRows, Grain, Indicator, Kind, register
from ..trivial import EMOJI, REASONS, REPEAT, SHAPE_REASONS
from ._common import sql_of, valid_at

REPEAT_WINDOW = timedelta(hours=24)
ACTIVE_WINDOW = timedelta(days=7)
# The role a message is counted under when its author holds several in the organisation.
ROLE_ORDER = (Membership.Role.ADMIN, Membership.Role.TEACHER, Membership.Role.STUDENT, Membership.Role.PARENT)


def sender_roles(organisation_ids, instant) -> dict[tuple[int, int], str]:
    """Each member's main role in each organisation at the instant, by (organisation, user); absent when they hold
    none. Every member, read in one plain scan: cheaper than asking for the day's authors among them."""
    rank = {role: n for n, role in enumerate(ROLE_ORDER)}
    main = {}
    memberships = Membership.objects.filter(valid_at(instant), organisation_id__in=organisation_ids).order_by()
    for organisation_id, user_id, role in memberships.values_list("organisation_id", "user_id", "role"):
        key = (organisation_id, user_id)
        if key not in main or rank[role] < rank[main[key]]:
            main[key] = role
    return main


def _in_day(batch: Batch, since):
    return Message.objects.filter(
        chat__organisation_id__in=batch.organisation_ids, created_at__gte=since, created_at__lt=batch.end
    )


def _judged_messages(batch: Batch):
    """The messages of the day and of the 24 hours before it, each with what the day's counts need: whether it is
    of the day, has files or a poll (asked only of the day's messages), and its triviality reason.

    A repeat is a text whose previous copy by the same author in the same organisation (ordered by time, deleted
    texts in a partition of their own) is at most 24 hours older — so the messages of the day before are read, but
    only to look back. Files and polls are content; the portal's own posts and deleted texts are not judged."""
    previous = Window(
        Lag("created_at"),
        partition_by=[
            F("chat__organisation_id"),
            F("author_id"),
            F("text_digest"),
            ExpressionWrapper(Q(deleted_at__isnull=True), output_field=BooleanField()),
        ],
        order_by=[F("created_at").asc(), F("id").asc()],
    )
    before = Q(created_at__lt=batch.start)
    files = Exists(Attachment.objects.filter(message=OuterRef("pk")))
    poll = Exists(Poll.objects.filter(message=OuterRef("pk")))
    flag = {"default": Value(0), "output_field": IntegerField()}
    reason = Case(
        When(before | Q(author__isnull=True) | Q(deleted_at__isnull=False) | files | poll, then=Value(None)),
        When(text_shape=Shape.EMPTY, then=Value(EMOJI)),
        When(previous__gte=F("created_at") - REPEAT_WINDOW, then=Value(REPEAT)),
        *(When(text_shape=kind, then=Value(why)) for kind, why in SHAPE_REASONS.items() if kind != Shape.EMPTY),
        default=Value(None),
        output_field=CharField(),
    )
    return (
        _in_day(batch, batch.start - REPEAT_WINDOW)
        .annotate(previous=previous)
        .values(
            o=F("chat__organisation_id"),
            k=F("chat__kind"),
            g=F("chat__group_id"),
            a=F("author_id"),
            d=Case(When(before, then=Value(0)), default=Value(1), output_field=IntegerField()),
            f=Case(When(before, then=Value(0)), When(files, then=Value(1)), **flag),
            p=Case(When(before, then=Value(0)), When(poll, then=Value(1)), **flag),
            r=reason,
        )
        .order_by()
    )


def _day_messages(batch: Batch, out: BatchRows) -> None:
    """The day's messages counted in one read of them: by chat, author, files and polls, and the trivial ones by
    reason — grouped in the database (tens of thousands of groups, not a row per message), the author's role
    looked up here."""
    inner, params = sql_of(_judged_messages(batch))
    trivial = ", ".join("SUM(CASE WHEN x.r = %s THEN 1 ELSE 0 END)" for _why in REASONS)
    statement = f"""
        SELECT x.o, x.k, x.g, x.a, COUNT(*), SUM(x.f), SUM(x.p), {trivial}
        FROM ({inner}) x WHERE x.d = 1 GROUP BY x.o, x.k, x.g, x.a
    """  # noqa: S608  (the inner query built by the ORM, values as parameters)
    roles = sender_roles(batch.organisation_ids, batch.end)
    with connection.cursor() as cursor:
        cursor.execute(statement, (*REASONS, *params))
        groups = cursor.fetchall()
    for org, kind, group_id, author_id, n, files, polls, *reasons in groups:
        role = roles.get((org, author_id), "none") if author_id else "system"
        rows = out[org]
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
