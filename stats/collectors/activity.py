"""Activity of each local day: messages by chat kind and by the sender's role, trivial ones apart, files, polls
and events; and the chats active in the seven days up to the day's end."""

from collections import defaultdict, deque
from datetime import timedelta

from django.db.models import Exists, OuterRef

from chats.models import Attachment, Event, Message, Poll
from orgs.models import Membership

from ..days import Bucket
from ..registry import Grain, Indicator, Kind, Rows, register
from ..trivial import triviality
from ._common import valid_at

REPEAT_WINDOW = timedelta(hours=24)
ACTIVE_WINDOW = timedelta(days=7)
# The role a message is counted under when its author holds several in the organisation.
ROLE_ORDER = (Membership.Role.ADMIN, Membership.Role.TEACHER, Membership.Role.STUDENT, Membership.Role.PARENT)


def sender_roles(organisation_id: int, user_ids, instant) -> dict[int, str]:
    """Each author's main role in the organisation at the instant ("none" when they hold none)."""
    held = defaultdict(set)
    memberships = Membership.objects.filter(valid_at(instant), organisation_id=organisation_id, user_id__in=user_ids)
    for user_id, role in memberships.values_list("user_id", "role"):
        held[user_id].add(role)
    return {uid: next((r for r in ROLE_ORDER if r in held[uid]), "none") for uid in user_ids}


def _recent_texts(bucket: Bucket, authors: set[int]) -> dict[int, deque]:
    """The authors' texts of the 24 hours before the day, oldest first, to find repeats across midnight. Only the
    day's authors: nobody else's texts are compared."""
    recent = defaultdict(deque)
    if not authors:
        return recent
    earlier = Message.objects.filter(
        chat__organisation_id=bucket.organisation_id,
        created_at__gte=bucket.start - REPEAT_WINDOW,
        created_at__lt=bucket.start,
        author_id__in=authors,
        deleted_at__isnull=True,
    ).order_by("created_at", "id")
    for author_id, text, created_at in earlier.values_list("author_id", "text", "created_at"):
        recent[author_id].append((created_at, text))
    return recent


def _messages(bucket: Bucket, rows: Rows) -> None:
    messages = list(
        Message.objects.filter(
            chat__organisation_id=bucket.organisation_id, created_at__gte=bucket.start, created_at__lt=bucket.end
        )
        .annotate(
            has_files=Exists(Attachment.objects.filter(message=OuterRef("pk"))),
            has_poll=Exists(Poll.objects.filter(message=OuterRef("pk"))),
        )
        .order_by("created_at", "id")
        .values_list(
            "chat__kind", "chat__group_id", "author_id", "text", "created_at", "deleted_at", "has_files", "has_poll"
        )
    )
    authors = {m[2] for m in messages if m[2]}
    recent = _recent_texts(bucket, authors)
    roles = sender_roles(bucket.organisation_id, authors, bucket.end)
    for kind, group_id, author_id, text, created_at, deleted_at, has_files, has_poll in messages:
        rows.add("messages")
        rows.add(f"messages.kind.{kind}")
        rows.add(f"messages.role.{roles[author_id] if author_id else 'system'}")
        if group_id:
            rows.add_class(group_id, "messages")
            rows.add_class(group_id, f"messages.kind.{kind}")
        rows.add("messages.with_files", int(has_files))
        rows.add("polls", int(has_poll))
        if author_id is None or deleted_at is not None:
            continue  # the portal's own posts and deleted texts are not judged
        window = recent[author_id]
        while window and window[0][0] < created_at - REPEAT_WINDOW:
            window.popleft()
        reason = triviality(text, has_attachments=has_files, has_poll=has_poll, recent_texts=[t for _, t in window])
        window.append((created_at, text))
        if reason:
            rows.add("messages.trivial")
            rows.add(f"messages.trivial.{reason}")
            if group_id:
                rows.add_class(group_id, "messages.trivial")


def compute(bucket: Bucket) -> Rows:
    rows = Rows()
    _messages(bucket, rows)
    events = Event.objects.filter(
        organisation_id=bucket.organisation_id, created_at__gte=bucket.start, created_at__lt=bucket.end
    )
    for kind in events.values_list("kind", flat=True):
        rows.add(f"events.{kind}")
    return rows


def compute_active_chats(bucket: Bucket) -> Rows:
    rows = Rows()
    active = (
        Message.objects.filter(
            chat__organisation_id=bucket.organisation_id,
            created_at__gte=bucket.end - ACTIVE_WINDOW,
            created_at__lt=bucket.end,
            author__isnull=False,
        )
        .order_by()
        .values_list("chat_id", "chat__kind", "chat__group_id")
        .distinct()
    )
    for _chat_id, kind, group_id in active:
        rows.add("chats.active_7d")
        rows.add(f"chats.active_7d.{kind}")
        if group_id:
            rows.add_class(group_id, "chats.active_7d")
    return rows


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
