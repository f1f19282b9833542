"""Activity of each local day: messages by chat kind and by the sender's role, trivial ones apart, files, polls
and events; and the chats active in the seven days up to the day's end."""

from collections import Counter, defaultdict, deque
from datetime import timedelta

from django.db.models import BooleanField, Case, Count, Exists, ExpressionWrapper, OuterRef, Q, When

from chats.models import Attachment, Chat, Event, Message, Poll
from orgs.models import Membership

from ..days import Batch
from ..registry import BatchRows, Grain, Indicator, Kind, register
from ..trivial import judge, normalise
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


def _messages(batch: Batch, out: BatchRows) -> None:
    """One pass over the messages of the day and of the 24 hours before it (only to find repeats across midnight),
    oldest first; each author's texts of the last 24 hours kept normalised, with a counter for the look-up."""
    in_day = Q(created_at__gte=batch.start)
    messages = (
        Message.objects.filter(
            chat__organisation_id__in=batch.organisation_ids,
            created_at__gte=batch.start - REPEAT_WINDOW,
            created_at__lt=batch.end,
        )
        .annotate(
            in_day=ExpressionWrapper(in_day, output_field=BooleanField()),
            # Only the day's messages are counted: the files and polls of the day before are never looked up.
            has_files=Case(When(in_day, then=Exists(Attachment.objects.filter(message=OuterRef("pk"))))),
            has_poll=Case(When(in_day, then=Exists(Poll.objects.filter(message=OuterRef("pk"))))),
        )
        .order_by("created_at", "id")
        .values_list(
            "in_day",
            "chat__organisation_id",
            "chat__kind",
            "chat__group_id",
            "author_id",
            "text",
            "created_at",
            "deleted_at",
            "has_files",
            "has_poll",
        )
    )
    messages = list(messages)
    # Only the texts of the day's authors matter for repeats.
    authors = {(m[1], m[4]) for m in messages if m[0] and m[4] is not None}
    roles = sender_roles(batch.organisation_ids, batch.end)
    windows = defaultdict(deque)  # (organisation, author) -> (created_at, normalised text), oldest first
    recent = defaultdict(Counter)  # (organisation, author) -> how many times each normalised text is in the window
    counted, trivial = Counter(), Counter()  # a day of a district is a hundred thousand messages: one tally each
    for day, org, kind, group_id, author_id, text, created_at, deleted_at, has_files, has_poll in messages:
        if day:
            role = roles.get((org, author_id), "none") if author_id else "system"
            counted[org, kind, group_id, role, bool(has_files), bool(has_poll)] += 1
        key = (org, author_id)
        if author_id is None or deleted_at is not None or key not in authors:
            continue  # the portal's own posts and deleted texts are not judged, nor compared with
        norm = normalise(text)
        window, seen = windows[key], recent[key]
        while window and window[0][0] < created_at - REPEAT_WINDOW:
            gone = window.popleft()[1]
            seen[gone] -= 1
            if not seen[gone]:
                del seen[gone]  # only texts still in the window are keys
        if day and not (has_files or has_poll):
            reason = judge(norm, seen)
            if reason:
                trivial[org, group_id, reason] += 1
        window.append((created_at, norm))
        seen[norm] += 1
    for (org, kind, group_id, role, has_files, has_poll), n in counted.items():
        rows = out[org]
        rows.add("messages", n)
        rows.add(f"messages.kind.{kind}", n)
        rows.add(f"messages.role.{role}", n)
        if group_id:
            rows.add_class(group_id, "messages", n)
            rows.add_class(group_id, f"messages.kind.{kind}", n)
        rows.add("messages.with_files", n * has_files)
        rows.add("polls", n * has_poll)
    for (org, group_id, reason), n in trivial.items():
        rows = out[org]
        rows.add("messages.trivial", n)
        rows.add(f"messages.trivial.{reason}", n)
        if group_id:
            rows.add_class(group_id, "messages.trivial", n)


def compute(batch: Batch) -> BatchRows:
    out = BatchRows()
    _messages(batch, out)
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
