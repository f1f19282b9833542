"""Messages: posting, editing, deleting (a marker stays), and how far each member has read."""

from types import SimpleNamespace

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.compiled import Compiled
from portal.exceptions import NotFound, PermissionDenied, RuleViolation

from ..models import MESSAGE_MAX_LENGTH, Chat, ChatReadState, Message, Report
from ..permissions import can_moderate, can_post, can_read, mute_notice, remember_viewers, with_viewer
from .attachments import attachments_check, attachments_discard, attachments_remove, attachments_store
from .content import Place, content_enforce, content_flag


def _chat_with_viewer(user_id, pk):
    viewer = SimpleNamespace(pk=user_id)
    chats = with_viewer(Chat.objects.select_related("organisation", "group"), viewer)
    return chats.filter(pk=pk).order_by("pk")[:1]


# A page's read of its chat with the viewer's row (portal.compiled): the ORM compiled it on every request (~0.7 ms).
_CHAT_WITH_VIEWER = Compiled(Chat, _chat_with_viewer, arity=2)


def chat_get_for(user, pk, organisation=None, *, reading: bool = False) -> Chat:
    """A chat the user may read; any other chat (another organisation's, one they are not in) is not found.

    `reading`: the request only reads (a page, a GET of the API): the chat comes with its organisation and class,
    and keeps the viewer's membership row for the other questions of the request (permissions.remember_viewers)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("Чат не найден.")) from None
    if not 0 < pk < 2**63:  # no such id (the database would refuse the number)
        raise NotFound(_("Чат не найден."))
    chats = Chat.objects.select_related("organisation", "group") if reading else Chat.objects
    viewer = user if reading and user is not None and user.is_authenticated and user.is_active else None
    if viewer is not None:
        # Their membership row with the chat (the questions below ask no query), in a statement compiled once.
        found = _CHAT_WITH_VIEWER(viewer.pk, pk)
        chat = found[0] if found else None
    else:
        chat = chats.filter(pk=pk).order_by().first()  # by its key: no join for the default ordering
    if chat is not None and reading:
        remember_viewers(chat, viewer)
    if chat is None or (organisation is not None and chat.organisation_id != organisation.pk):
        raise NotFound(_("Чат не найден."))
    if not can_read(user, chat):
        raise NotFound(_("Чат не найден."))
    return chat


def message_get(chat: Chat, pk) -> Message:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("Сообщение не найдено.")) from None
    message = Message.objects.filter(chat=chat, pk=pk).select_related("author").first()
    if message is None:
        raise NotFound(_("Сообщение не найдено."))
    return message


def clean_text(text, *, field: str = "text") -> str:
    """The text stripped; empty or too long is refused with a message for the field."""
    text = (text or "").strip()
    if not text:
        raise RuleViolation(_("Сообщение пустое."), code="empty", fields={field: [_("Введите текст сообщения.")]})
    if len(text) > MESSAGE_MAX_LENGTH:
        msg = _("Сообщение длиннее %(limit)s символов.") % {"limit": MESSAGE_MAX_LENGTH}
        raise RuleViolation(msg, code="too_long", fields={field: [msg]})
    return text


def require_post(actor, chat: Chat) -> None:
    """Raise unless the actor may write in the chat now: not found, archived, channel or not a member."""
    if not can_read(actor, chat):
        raise NotFound(_("Чат не найден."))
    if chat.is_archived:
        raise PermissionDenied(_("Чат в архиве: писать в него нельзя."))
    if not can_post(actor, chat):
        notice = mute_notice(actor, chat)
        if notice:
            raise PermissionDenied(notice, code="muted")
        if chat.is_channel:
            raise PermissionDenied(_("В этом канале пишут только администраторы и руководитель."))
        raise PermissionDenied(_("Писать в чат могут только его участники."))


def message_post(*, chat: Chat, actor, text: str, reply_to: Message | int | None = None, files=()) -> Message:
    """Post a message as an active member; in channels only their owners post; archived chats are read-only.
    A message has text, files or both; the files are all checked before anything is stored."""
    require_post(actor, chat)
    files = list(files or ())
    text = clean_text(text) if (text or "").strip() or not files else ""
    if reply_to is not None:
        reply_id = reply_to.pk if isinstance(reply_to, Message) else reply_to
        reply_to = Message.objects.filter(pk=reply_id, chat=chat).first()
        if reply_to is None:
            raise RuleViolation(
                _("Ответить можно только на сообщение этого чата."),
                code="reply_not_found",
                fields={"reply_to": [_("Сообщение не найдено в этом чате.")]},
            )
    # The content rules before anything is stored: a refusal is recorded, and the message never exists.
    organisation = chat.organisation
    verdict = content_enforce(
        organisation=organisation, actor=actor, texts=[text], place=Place.MESSAGE, field="text", chat=chat
    )
    checked = attachments_check(files=files) if files else []
    names = content_enforce(
        organisation=organisation,
        actor=actor,
        texts=[item.name for item in checked],
        place=Place.FILE_NAME,
        field="files",
        chat=chat,
    )
    stored = []
    try:
        with transaction.atomic():
            message = Message.objects.create(chat=chat, author=actor, text=text, reply_to=reply_to)
            stored = attachments_store(message=message, files=checked) if checked else []
            content_flag(message=message, verdict=verdict if verdict.flagged else names)
    except BaseException:
        attachments_discard(stored)  # the message did not commit: none of its files may stay
        raise
    # The author has read their own message.
    _mark_read(chat, actor, message.pk)
    return message


def message_edit(*, message: Message, actor, text: str) -> Message:
    """Only the author edits, while the chat is writable and the message not deleted."""
    if message.author_id != actor.pk:
        raise PermissionDenied(_("Изменять сообщение может только его автор."))
    if message.is_deleted:
        raise RuleViolation(_("Удалённое сообщение изменить нельзя."), code="deleted")
    require_post(actor, message.chat)
    text = clean_text(text)
    verdict = content_enforce(
        organisation=message.chat.organisation,
        actor=actor,
        texts=[text],
        place=Place.EDIT,
        field="text",
        chat=message.chat,
    )
    message.text = text
    message.edited_at = timezone.now()
    with transaction.atomic():
        message.save(update_fields=["text", "edited_at"])
        content_flag(message=message, verdict=verdict)
    return message


def message_delete(*, message: Message, actor) -> Message:
    """The author deletes their own message; owners, moderators and administrators delete anyone's.
    The row stays as a marker: the text is gone."""
    chat = message.chat
    if not can_read(actor, chat):
        raise NotFound(_("Сообщение не найдено."))
    if message.author_id != actor.pk and not can_moderate(actor, chat):
        raise PermissionDenied(_("Удалять чужие сообщения могут только владельцы, модераторы и администраторы."))
    if message.is_deleted:
        return message
    now = timezone.now()
    message.text = ""
    message.deleted_at = now
    message.deleted_by = actor
    # A deleted message is unpinned, and the reports about it are settled: there is nothing left to judge.
    message.pinned_at = message.pinned_by = None
    with transaction.atomic():
        message.save(update_fields=["text", "deleted_at", "deleted_by", "pinned_at", "pinned_by"])
        attachments_remove(message=message)  # the files go with the text
        Report.objects.filter(message=message, status=Report.Status.OPEN).update(
            status=Report.Status.MESSAGE_DELETED, resolved_by=actor, resolved_at=now
        )
    return message


def chat_mark_seen(*, chat: Chat, actor, newest_id: int) -> None:
    """The chat's page showed the reader its messages up to `newest_id` (the chat checked readable by the caller):
    the mark moves there, never back. One statement whether the row exists or not (an upsert whose update applies
    only to a mark behind `newest_id`), so concurrent visits of the same person cannot collide."""
    table = ChatReadState._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {table} AS s (chat_id, user_id, last_read_message_id, updated_at)
                VALUES (%s, %s, %s, %s)
                ON CONFLICT (chat_id, user_id) DO UPDATE
                SET last_read_message_id = excluded.last_read_message_id, updated_at = excluded.updated_at
                WHERE s.last_read_message_id < excluded.last_read_message_id""",
            [chat.pk, actor.pk, newest_id, connection.ops.adapt_datetimefield_value(timezone.now())],
        )


def _mark_read(chat: Chat, user, message_id: int) -> ChatReadState:
    with transaction.atomic():
        state, _created = ChatReadState.objects.select_for_update().get_or_create(chat=chat, user=user)
        if message_id > state.last_read_message_id:
            state.last_read_message_id = message_id
            state.updated_at = timezone.now()
            state.save(update_fields=["last_read_message_id", "updated_at"])
    return state


def chat_mark_read(*, chat: Chat, actor, message_id: int | None = None) -> ChatReadState:
    """Mark the chat read up to a message of it (the newest by default); the mark never moves back."""
    if not can_read(actor, chat):
        raise NotFound(_("Чат не найден."))
    newest = Message.objects.filter(chat=chat).order_by("-id").values_list("pk", flat=True).first() or 0
    if message_id is None:
        message_id = newest
    elif not Message.objects.filter(chat=chat, pk=message_id).exists():
        raise RuleViolation(
            _("Такого сообщения в чате нет."),
            code="message_not_found",
            fields={"message": [_("Не найдено в этом чате.")]},
        )
    return _mark_read(chat, actor, message_id)
