"""Activity of each local day: messages by chat kind and by the sender's role, trivial ones apart, files, polls
and events; and the chats active in the seven days up to the day's end."""

from collections import Counter
from datetime import timedelta

from django.db.models import CharField, Count, Exists, F, OuterRef, Q, Value, When, Window
from django.db.models.expressions import Case
from django.db.models.functions import Lag

from chats.models import Attachment, Chat, Event, Message, Poll
from chats.text import Shape
from orgs.models import Membership

from ..days import Batch
from ..registry import BatchRows, Grain, Indicator, Kind, register
from ..trivial import EMOJI, REPEAT, SHAPE_REASONS
from ._common import valid_at

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


def _counts(batch: Batch, out: BatchRows) -> None:
    """The day's messages by chat, author, files and polls, counted in the database; the author's role looked up
    here (tens of thousands of groups, not a row per message)."""
    has_files = Exists(Attachment.objects.filter(message=OuterRef("pk")))
    groups = (
        _in_day(batch, batch.start)
        .values("chat__organisation_id", "chat__kind", "chat__group_id", "author_id")
        .annotate(
            n=Count("id"),
            files=Count("id", filter=has_files),
            polls=Count("id", filter=Q(poll__isnull=False)),
        )
        .order_by()
    )
    roles = sender_roles(batch.organisation_ids, batch.end)
    for row in groups:
        org, kind, group_id, author_id = (
            row["chat__organisation_id"], row["chat__kind"], row["chat__group_id"], row["author_id"]
        )  # fmt: skip
        role = roles.get((org, author_id), "none") if author_id else "system"
        rows, n = out[org], row["n"]
        rows.add("messages", n)
        rows.add(f"messages.kind.{kind}", n)
        rows.add(f"messages.role.{role}", n)
        if group_id:
            rows.add_class(group_id, "messages", n)
            rows.add_class(group_id, f"messages.kind.{kind}", n)
        rows.add("messages.with_files", row["files"])
        rows.add("polls", row["polls"])


def _trivial(batch: Batch, out: BatchRows) -> None:
    """The day's messages that only imitate activity, judged in the database from the shape and digest stored with
    each text: a repeat is a text whose previous copy by the same author in the same organisation (ordered by time,
    deleted texts left out) is at most 24 hours older — so the messages of the day before are read too. Files and
    polls are content; the portal's own posts and deleted texts are not judged."""
    previous = Window(
        Lag("created_at"),
        partition_by=[F("chat__organisation_id"), F("author_id"), F("text_digest")],
        order_by=[F("created_at").asc(), F("id").asc()],
    )
    not_judged = (
        Q(created_at__lt=batch.start)
        | Exists(Attachment.objects.filter(message=OuterRef("pk")))
        | Exists(Poll.objects.filter(message=OuterRef("pk")))
    )
    reason = Case(
        When(not_judged, then=Value(None)),
        When(text_shape=Shape.EMPTY, then=Value(EMOJI)),
        When(previous__gte=F("created_at") - REPEAT_WINDOW, then=Value(REPEAT)),
        *(When(text_shape=kind, then=Value(why)) for kind, why in SHAPE_REASONS.items() if kind != Shape.EMPTY),
        default=Value(None),
        output_field=CharField(),
    )
    judged = (
        _in_day(batch, batch.start - REPEAT_WINDOW)
        .filter(author__isnull=False, deleted_at__isnull=True)
        .annotate(previous=previous)
        .annotate(reason=reason)
        .filter(reason__isnull=False)  # on the window's result: the day before stays in the comparison
        .order_by()
        .values_list("chat__organisation_id", "chat__group_id", "reason")
    )
    for (org, group_id, why), n in Counter(judged).items():
        rows = out[org]
        rows.add("messages.trivial", n)
        rows.add(f"messages.trivial.{why}", n)
        if group_id:
            rows.add_class(group_id, "messages.trivial", n)


def compute(batch: Batch) -> BatchRows:
    out = BatchRows()
    _counts(batch, out)
    _trivial(batch, out)
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
