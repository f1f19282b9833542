"""Reads of the chats app, filtered to what the user may see and prefetched."""

from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, Count, F, Func, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orgs.models import Group, Membership, Organisation, ParentLink, Placement
from orgs.permissions import is_admin
from orgs.selectors import verified_teacher_ids_parse, verified_teacher_ids_sql
from portal.accounts.models import User
from portal.compiled import Compiled

from .models import Attachment, Chat, ChatMember, ChatReadState, Message, Report
from .selectors_polls import poll_results, polls_results  # noqa: F401  (the page and the API read them from here)
from .services.pools import ADMIN, CATEGORY_ORDER, LEADER, PARENT, STAFF, STUDENT, TEACHER, member_pool


def _member_count():
    """A chat's current members, as a subquery of the chat (OuterRef "pk").

    Counted in a subquery, not by joining the members: a join groups the rows, and every per-chat subquery
    annotated later (the API's unread counts) would then run once per member instead of once per chat."""
    return (
        ChatMember.objects.filter(chat=OuterRef("pk"), left_at__isnull=True)
        .order_by()
        .values("chat")
        .annotate(n=Count("pk"))
        .values("n")[:1]
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


def chat_event_audience(chat: Chat) -> Q:
    """The events a chat shows: its own, and the group events whose reminders it receives (a class's chats: the
    class's; the staff channel: the staff group's). As SQL in `_audience_sql`, held to this by a test."""
    audience = Q(chat=chat)
    if chat.kind in (Chat.Kind.CLASS, Chat.Kind.CLASS_PARENTS) and chat.group_id:
        audience |= Q(group_id=chat.group_id)
    elif chat.kind == Chat.Kind.STAFF_CHANNEL:
        audience |= Q(group__kind=Group.Kind.STAFF, organisation_id=chat.organisation_id)
    return audience


def _audience_sql(chat: Chat) -> tuple[str, list]:
    if chat.kind in (Chat.Kind.CLASS, Chat.Kind.CLASS_PARENTS) and chat.group_id:
        return "(e.chat_id = %s OR e.group_id = %s)", [chat.pk, chat.group_id]
    if chat.kind == Chat.Kind.STAFF_CHANNEL:
        staff = "SELECT g.id FROM orgs_group g WHERE g.kind = %s"
        return f"(e.chat_id = %s OR (e.organisation_id = %s AND e.group_id IN ({staff})))", [
            chat.pk,
            chat.organisation_id,
            Group.Kind.STAFF,
        ]
    return "e.chat_id = %s", [chat.pk]


@dataclass(frozen=True)
class PageFacts:
    """What the chat page asks of the chat beside its messages: its members' count, whether it has pinned messages,
    upcoming events and files among the page's rows, the viewer's read mark (None: never marked) and the ids of the
    organisation's verified teachers (their badges on the page)."""

    member_count: int
    any_pinned: bool
    any_upcoming: bool
    any_files: bool
    last_read: int | None
    verified_ids: frozenset[int]  # the organisation's verified teachers (orgs.selectors.verified_teacher_ids)


def chat_page_facts(chat: Chat, viewer, message_ids: list[int]) -> PageFacts:
    """The chat page's facts (PageFacts) in one hand-written query: the pinned messages, the events and the files
    are then read only where there are some, and the read mark moved only when it is behind (four queries and a
    write of the page were three counts or lists that are mostly empty, and a mark already where it was; the verified
    teachers' ids were a query of their own)."""
    audience, audience_params = _audience_sql(chat)
    verified, verified_params = verified_teacher_ids_sql(chat.organisation_id, connection.vendor)
    files = "0"
    if message_ids:
        ids = ", ".join(["%s"] * len(message_ids))
        files = f"EXISTS (SELECT 1 FROM chats_attachment a WHERE a.message_id IN ({ids}))"
    sql = f"""SELECT
        (SELECT COUNT(*) FROM chats_chatmember m WHERE m.chat_id = %s AND m.left_at IS NULL),
        EXISTS (SELECT 1 FROM chats_message p WHERE p.chat_id = %s AND p.pinned_at IS NOT NULL
            AND p.deleted_at IS NULL),
        EXISTS (SELECT 1 FROM chats_event e WHERE {audience} AND e.cancelled_at IS NULL AND e.starts_at > %s),
        {files},
        (SELECT r.last_read_message_id FROM chats_chatreadstate r WHERE r.chat_id = %s AND r.user_id = %s),
        {verified}"""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = [chat.pk, chat.pk, *audience_params, now, *message_ids, chat.pk, viewer.pk, *verified_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        count, pinned, upcoming, any_files, last_read, verified_ids = cursor.fetchone()
    verified_ids = verified_teacher_ids_parse(verified_ids)
    return PageFacts(count, bool(pinned), bool(upcoming), bool(any_files), last_read, verified_ids)


def page_messages(chat_id: int):
    """A chat's messages as its page draws them: with their authors, the messages they quote with their authors, and
    their polls."""
    return Message.objects.filter(chat_id=chat_id).select_related("author", "reply_to__author", "poll")


PAGE_ROWS = 50
# The page's statements compiled once per process (portal.compiled): the ORM compiled them on every load.
_NEWEST_ROWS = Compiled(Message, lambda chat_id: page_messages(chat_id).order_by("-pk")[: PAGE_ROWS + 1], arity=1)
_EARLIER_ROWS = Compiled(
    Message,
    lambda chat_id, before: page_messages(chat_id).filter(pk__lt=before).order_by("-pk")[: PAGE_ROWS + 1],
    arity=2,
)
_ID_MAX = 2**63 - 1


def chat_page_rows(chat: Chat, before: int | None = None) -> list[Message]:
    """The newest PAGE_ROWS + 1 messages of the chat (those before the message `before`, if given), newest first, as
    `page_messages` reads them."""
    if before is None:
        return _NEWEST_ROWS(chat.pk)
    return _EARLIER_ROWS(chat.pk, min(before, _ID_MAX))  # beyond every id: as the ORM's lookup, every message


def _owners_prefetch() -> Prefetch:
    owners = ChatMember.objects.filter(role=ChatMember.Role.OWNER, left_at__isnull=True).select_related("user")
    return Prefetch("members", queryset=owners.order_by("joined_at", "pk"), to_attr="owners")


def chats_for_admin(organisation: Organisation, *, kind=None, group_id=None, archived=None, q="") -> QuerySet[Chat]:
    """Every chat of the organisation, for its administrators: `member_count`, `last_activity` (the newest message's
    time, else the chat's creation) and `owners`; filtered by kind, class, archived state and words of the title;
    two queries for any number of chats."""
    members = _member_count()
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


# ---- the chat list (the API's and the page's) --------------------------------------------------------------------

# The fields of the API's chat list (chats.api.serializers.ChatSerializer), `owners` added by `with_owners`.
LIST_FIELDS = ("id", "kind", "title", "group", "group_name", "subject", "is_archived", "member_count", "my_role")

_LISTED_SQL = """
SELECT c.id, c.kind, c.title, c.group_id, g.name, c.subject, c.is_archived,
    (SELECT COUNT(*) FROM chats_chatmember m WHERE m.chat_id = c.id AND m.left_at IS NULL),
    (SELECT m.role FROM chats_chatmember m WHERE m.chat_id = c.id AND m.user_id = %s AND m.left_at IS NULL LIMIT 1),
    (SELECT COUNT(*) FROM chats_message x WHERE x.chat_id = c.id AND x.deleted_at IS NULL
        AND (x.author_id IS NULL OR x.author_id <> %s)
        AND x.id > COALESCE((SELECT r.last_read_message_id FROM chats_chatreadstate r
            WHERE r.chat_id = c.id AND r.user_id = %s LIMIT 1), 0))
FROM chats_chat c LEFT OUTER JOIN orgs_group g ON g.id = c.group_id
WHERE {where}
ORDER BY c.is_archived, c.kind, c.title, c.id
"""
_MEMBER_OF = "EXISTS (SELECT 1 FROM chats_chatmember m WHERE m.chat_id = c.id AND m.user_id = %s AND m.left_at IS NULL)"


class ChatList:
    """The chats a user may list in an organisation, in one hand-written query per slice (the ORM's version cost
    ~3 ms of Python to build each time) and one to count: what the API's list and the chat list page show.

    Who sees which chat is decided here and nowhere else: the chats of the organisation the user is an active
    member of (archived ones too: their history stays), and for its administrators, if `every`, all its chats
    (`my_role` null where they are not members). Each row: LIST_FIELDS and `unread_count` (others' live messages
    after the user's read mark), in the list's order (archived last, by kind, title, id)."""

    def __init__(
        self,
        user,
        organisation: Organisation,
        *,
        every=False,
        kind="",
        group_id=None,
        mine=None,
        archived=None,
        words=(),
    ):
        self.user_id = user.pk
        where, params = ["c.organisation_id = %s"], [organisation.pk]
        if not (every and is_admin(user, organisation.pk)):
            where.append(_MEMBER_OF)  # who may see which chat
            params.append(user.pk)
        if mine is not None:  # the filter of the list, within what the user may see
            where.append(_MEMBER_OF if mine else f"NOT {_MEMBER_OF}")
            params.append(user.pk)
        if kind:
            where.append("c.kind = %s")
            params.append(kind)
        if group_id is not None:
            where.append("c.group_id = %s")
            params.append(group_id)
        if archived is not None:
            where.append("c.is_archived = %s")
            params.append(archived)
        # As the ORM's title__icontains, on each database.
        title = connection.ops.lookup_cast("icontains", "CharField") % "c.title"
        for word in words:
            where.append(f"{title} {connection.operators['icontains'] % '%s'}")
            params.append(f"%{connection.ops.prep_for_like_query(word)}%")
        self.where, self.params = " AND ".join(where), params

    def count(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM chats_chat c WHERE {self.where}", self.params)
            return cursor.fetchone()[0]

    def __getitem__(self, page: slice) -> list[dict]:
        sql = _LISTED_SQL.format(where=self.where)
        params = [self.user_id, self.user_id, self.user_id, *self.params]
        start = page.start or 0
        if page.stop is not None:  # a page; else every row from `start`
            sql, params = f"{sql} LIMIT %s OFFSET %s", [*params, max(page.stop - start, 0), start]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()[start if page.stop is None else 0 :]
        fields = (*LIST_FIELDS, "unread_count")
        return [dict(zip(fields, (*row[:6], bool(row[6]), *row[7:]), strict=True)) for row in rows]

    def __iter__(self):
        return iter(self[:])


def with_owners(chats: list[dict]) -> list[dict]:
    """Set `owners` on each row of a ChatList: its active owners as people (id, full_name, last_name, first_name,
    patronymic) in the order of `_owners_prefetch`, for all the rows in one query."""
    owners = defaultdict(list)
    if chats:
        members = ChatMember.objects.filter(
            chat_id__in=[chat["id"] for chat in chats], role=ChatMember.Role.OWNER, left_at__isnull=True
        ).order_by("joined_at", "pk")
        for chat_id, user_id, last, first, patronymic in members.values_list(
            "chat_id", "user_id", "user__last_name", "user__first_name", "user__patronymic"
        ):
            full_name = " ".join(p for p in (last, first, patronymic) if p)  # User.full_name
            person = {"id": user_id, "full_name": full_name, "last_name": last, "first_name": first}
            owners[chat_id].append({**person, "patronymic": patronymic})
    for chat in chats:
        chat["owners"] = owners.get(chat["id"], [])
    return chats


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


# ---- the member picker ------------------------------------------------------------------------------------------


PICKER_LABELS = {
    LEADER: gettext_lazy("Руководитель и заместители"),
    ADMIN: gettext_lazy("Администраторы"),
    TEACHER: gettext_lazy("Педагоги и сотрудники"),
    PARENT: gettext_lazy("Родители"),
    STUDENT: gettext_lazy("Обучающиеся"),
}


def chat_member_candidates(chat: Chat) -> dict[int, str]:
    """Who may be added to the chat, as {user id: category}: the people its kind (and class) may hold who are not
    in it now. The «Добавить участников» page and the API's members/candidates/ both answer with it."""
    current = set(chat.members.filter(left_at__isnull=True).values_list("user_id", flat=True))
    pool = member_pool(organisation=chat.organisation, kind=chat.kind, group=chat.group)
    return {user_id: category for user_id, category in pool.items() if user_id not in current}


def member_picker(organisation: Organisation, pool: dict[int, str], checked=frozenset()) -> list[dict]:
    """The people of a pool grouped by category, with a short note each (position, class, children): the picker.
    Each section: {"key", "label", "people": [{"user", "note", "checked", "search"}]}, people by name."""
    notes: dict[int, list[str]] = defaultdict(list)
    ids = list(pool)
    positions = dict(Membership.Position.choices)
    for user_id, position in Membership.objects.filter(
        organisation=organisation, user_id__in=ids, role=Membership.Role.TEACHER, valid_to__isnull=True
    ).values_list("user_id", "position"):
        if position and pool[user_id] in STAFF:
            notes[user_id].append(str(positions.get(position, "")))
    for user_id, name in Placement.objects.filter(
        organisation=organisation, student_id__in=ids, valid_to__isnull=True
    ).values_list("student_id", "group__name"):
        if pool[user_id] == STUDENT:
            notes[user_id].append(name)
    links = ParentLink.objects.filter(
        organisation=organisation, parent_id__in=ids, valid_to__isnull=True
    ).select_related("child")
    for link in links:
        if pool[link.parent_id] == PARENT:
            notes[link.parent_id].append(_("родитель: %(child)s") % {"child": link.child.short_name})
    sections = {c: [] for c in CATEGORY_ORDER}
    for user in User.objects.filter(pk__in=ids).order_by("last_name", "first_name", "patronymic", "pk"):
        note = ", ".join(n for n in notes[user.pk] if n)
        sections[pool[user.pk]].append(
            {"user": user, "note": note, "checked": user.pk in checked, "search": f"{user.full_name} {note}".lower()}
        )
    return [{"key": c, "label": PICKER_LABELS[c], "people": p} for c, p in sections.items() if p]
