"""Reads of the chats app, filtered to what the user may see and prefetched."""

from collections import defaultdict

from django.db.models import Case, Count, F, Func, IntegerField, OuterRef, Prefetch, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from orgs.models import Organisation
from orgs.permissions import is_admin

from .models import Attachment, Chat, ChatMember, ChatReadState, Message, Report


def chats_for_user(user, organisation: Organisation) -> QuerySet[Chat]:
    """The chats of this organisation the user is an active member of (archived ones too: their history stays),
    each with `member_count`, `my_role` and `owners` (active owners with their users); two queries in all."""
    mine = ChatMember.objects.filter(chat=OuterRef("pk"), user=user, left_at__isnull=True).order_by()
    # Counted in a subquery, not by joining the members: a join groups the rows, and every per-chat subquery
    # annotated later (the API's unread counts) would then run once per member instead of once per chat.
    members = (
        ChatMember.objects.filter(chat=OuterRef("pk"), left_at__isnull=True)
        .order_by()
        .values("chat")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return (
        Chat.objects.filter(organisation=organisation)
        .filter(pk__in=ChatMember.objects.filter(user=user, left_at__isnull=True).values("chat_id"))
        .select_related("group")
        .annotate(
            member_count=Coalesce(Subquery(members, output_field=IntegerField()), Value(0)),
            my_role=Subquery(mine.values("role")[:1]),
        )
        # The owners in the order the model's default gave each chat's (joined, id), without its join of the chats
        # and organisations to sort by the chat first.
        .prefetch_related(_owners_prefetch())
        .order_by("is_archived", "kind", "title", "pk")
    )


def chat_members(chat: Chat) -> QuerySet[ChatMember]:
    """The chat's active members with their users, owners first. In a system channel only those who post (its
    owners and moderators): its readers are the whole organisation, and listing them would show a student everyone
    (student safety: a student sees only the people of their own chats)."""
    order = {ChatMember.Role.OWNER: 0, ChatMember.Role.MODERATOR: 1, ChatMember.Role.MEMBER: 2}

    rank = Case(*(When(role=r, then=Value(n)) for r, n in order.items()), output_field=IntegerField())
    rows = ChatMember.objects.filter(chat=chat, left_at__isnull=True)
    if chat.is_channel:
        rows = rows.exclude(role=ChatMember.Role.MEMBER)
    return rows.select_related("user").annotate(rank=rank).order_by("rank", "user__last_name", "user__first_name", "pk")


def moderated_chat_ids(user, organisation: Organisation) -> QuerySet | None:
    """The ids of the organisation's chats the user owns or moderates, as a subquery; None for its administrators,
    who moderate every chat of it."""
    if is_admin(user, organisation.pk):
        return None
    return ChatMember.objects.filter(
        user=user,
        left_at__isnull=True,
        role__in=(ChatMember.Role.OWNER, ChatMember.Role.MODERATOR),
        chat__organisation=organisation,
    ).values("chat_id")


def moderation_queue(user, organisation: Organisation, *, status: str | None = Report.Status.OPEN) -> QuerySet[Report]:
    """Reports about messages of the chats the user moderates (every chat of the organisation for its
    administrators), newest first, with message, author, reporter, chat and decider selected: one query for any
    number of reports. `status=None` gives every status."""
    qs = Report.objects.filter(organisation=organisation)
    chat_ids = moderated_chat_ids(user, organisation)
    if chat_ids is not None:
        qs = qs.filter(chat_id__in=chat_ids)
    if status is not None:
        qs = qs.filter(status=status)
    return qs.select_related("chat", "message__author", "reporter", "resolved_by").order_by("-created_at", "-pk")


def moderation_open_count(user, organisation: Organisation) -> int | None:
    """How many open reports wait in the user's queue; None when the user moderates nothing in the organisation."""
    chat_ids = moderated_chat_ids(user, organisation)
    if chat_ids is not None and not chat_ids.exists():
        return None
    return moderation_queue(user, organisation).count()


def pinned_messages(chat: Chat) -> list[Message]:
    """The chat's pinned live messages with their authors, latest pinned first: one query however many."""
    return list(
        Message.objects.filter(chat=chat, pinned_at__isnull=False, deleted_at__isnull=True)
        .select_related("author")
        .order_by("-pinned_at", "-pk")
    )


def _owners_prefetch() -> Prefetch:
    owners = ChatMember.objects.filter(role=ChatMember.Role.OWNER, left_at__isnull=True).select_related("user")
    return Prefetch("members", queryset=owners.order_by("joined_at", "pk"), to_attr="owners")


def chats_for_admin(organisation: Organisation, *, kind=None, group_id=None, archived=None, q="") -> QuerySet[Chat]:
    """Every chat of the organisation, for its administrators: `member_count`, `last_activity` (the newest message's
    time, else the chat's creation) and `owners`; filtered by kind, class, archived state and words of the title;
    two queries for any number of chats."""
    members = (
        ChatMember.objects.filter(chat=OuterRef("pk"), left_at__isnull=True)
        .order_by()
        .values("chat")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    newest = Message.objects.filter(chat=OuterRef("pk")).order_by("-pk").values("created_at")[:1]
    qs = Chat.objects.filter(organisation=organisation)
    if kind:
        qs = qs.filter(kind=kind)
    if group_id:
        qs = qs.filter(group_id=group_id)
    if archived is not None:
        qs = qs.filter(is_archived=archived)
    for word in (q or "").split()[:5]:
        qs = qs.filter(title__icontains=word)
    return (
        qs.select_related("group")
        .annotate(
            member_count=Coalesce(Subquery(members, output_field=IntegerField()), Value(0)),
            last_activity=Coalesce(Subquery(newest), F("created_at")),
        )
        .prefetch_related(_owners_prefetch())
        .order_by("is_archived", "kind", "title", "pk")
    )


def chats_listed_for(user, organisation: Organisation) -> QuerySet[Chat]:
    """The API's chat list: every chat of the organisation for its administrators (`my_role` is null where they
    are not members), the user's own chats for everyone else; `member_count`, `my_role`, `owners` on each."""
    if not is_admin(user, organisation.pk):
        return chats_for_user(user, organisation)
    mine = ChatMember.objects.filter(chat=OuterRef("pk"), user=user, left_at__isnull=True)
    return chats_for_admin(organisation).annotate(my_role=Subquery(mine.values("role")[:1]))


def with_unread_counts(chats, user):
    """Annotate `unread_count`: others' live messages after the user's read mark, one subquery per row of SQL."""
    # The read mark belongs to the chat's row: looked up once per chat, then an index range scan on (chat, id).
    # (Correlated to each message instead, it ran once per message of every chat.)
    last_read = ChatReadState.objects.filter(chat=OuterRef("pk"), user=user).values("last_read_message_id")[:1]
    # A plain COUNT(*) per chat, not grouped by chat: grouped (and limited to one row) the planner walked the
    # messages' primary key across every chat; plain, it counts a range of the (chat, id) index.
    unread = (
        Message.objects.filter(chat=OuterRef("pk"), pk__gt=OuterRef("last_read"), deleted_at__isnull=True)
        .exclude(author=user)
        .order_by()
        .annotate(n=Func(Value(1), function="COUNT", output_field=IntegerField()))
        .values("n")
    )
    return chats.annotate(
        last_read=Coalesce(Subquery(last_read, output_field=IntegerField()), Value(0)),
        unread_count=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)),
    )


def channels_of(organisation: Organisation) -> list[Chat]:
    """The organisation's channels for its settings: the system ones first, then those added, archived left out."""
    order = {kind: n for n, kind in enumerate(Chat.CHANNEL_KINDS)}
    chats = Chat.objects.filter(organisation=organisation, kind__in=Chat.CHANNEL_KINDS, is_archived=False)
    return sorted(chats, key=lambda c: (order[c.kind], c.created_at, c.pk))


def with_files(rows: list[Message]) -> list[Message]:
    """Set `files` on each message: its attachments, for all the rows in one query. (Django's prefetch builds a
    queryset per message, ~2 ms for a page of fifty.)"""
    files = defaultdict(list)
    if rows:
        # Ordered by the columns themselves: the model's ordering by «message» joined the messages, the chats and
        # the organisations to sort by their own orderings (~1 ms of planning for nothing).
        attachments = Attachment.objects.filter(message_id__in=[m.pk for m in rows]).order_by("message_id", "pk")
        for attachment in attachments:
            files[attachment.message_id].append(attachment)
    for message in rows:
        message.files = files.get(message.pk, [])
    return rows
