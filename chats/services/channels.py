"""The system channels every organisation has: the general channel and the staff channel."""

from django.db import transaction
from django.utils.translation import gettext as _

from orgs.models import Organisation
from orgs.permissions import require
from orgs.services.audit import audit_record
from portal.exceptions import RuleViolation

from ..models import Chat
from ..titles import system_channel_title
from .content import Place, content_enforce

TITLE_MAX = Chat._meta.get_field("title").max_length


def system_channels_ensure(*, organisation: Organisation) -> tuple[list[Chat], int]:
    """Create the organisation's general and staff channels where missing; returns them and how many were new."""
    existing = {c.kind: c for c in Chat.objects.filter(organisation=organisation, kind__in=Chat.SYSTEM_KINDS)}
    created = 0
    for kind in Chat.SYSTEM_KINDS:
        if kind not in existing:
            # get_or_create: a concurrent sync that created the channel first wins; the unique constraint decides.
            existing[kind], was_created = Chat.objects.get_or_create(
                organisation=organisation, kind=kind, defaults={"title": system_channel_title(organisation, kind)}
            )
            created += was_created
    return [existing[kind] for kind in Chat.SYSTEM_KINDS], created


def _channel_title(title) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise RuleViolation(
            _("Введите название канала."), code="title_required", fields={"title": [_("Введите название.")]}
        )
    if len(title) > TITLE_MAX:
        msg = _("Название канала — не длиннее %(limit)s символов.") % {"limit": TITLE_MAX}
        raise RuleViolation(msg, code="title_too_long", fields={"title": [msg]})
    return title


def channel_rename(*, chat: Chat, actor, title: str) -> Chat:
    """Administrators rename a channel (a system one too: its title defaults by the kind of organisation, and the
    regulations may name it otherwise, «Общий канал Лицея»); the change is audited from the old title to the new."""
    require(actor, "manage_org", chat.organisation, _("Названия каналов меняют администраторы."))
    if not chat.is_channel:
        raise RuleViolation(_("Это не канал."), code="not_a_channel")
    title = _channel_title(title)
    if title == chat.title:
        return chat
    content_enforce(
        organisation=chat.organisation, actor=actor, texts=[title], place=Place.CHAT_TITLE, field="title", chat=chat
    )
    with transaction.atomic():
        chat = Chat.objects.select_for_update().get(pk=chat.pk)
        old, chat.title = chat.title, title
        chat.save(update_fields=["title"])
        audit_record(
            organisation=chat.organisation,
            actor=actor,
            action="chat.renamed",
            obj=chat,
            details={"changes": {"title": [old, title]}},
        )
    return chat


def channel_create(*, organisation: Organisation, actor, title: str) -> Chat:
    """An additional channel of the whole organisation: everyone reads it, its owners (administrators and leaders)
    post; its members follow the structure like the general channel's."""
    require(actor, "manage_org", organisation, _("Дополнительные каналы создают администраторы."))
    title = _channel_title(title)
    content_enforce(organisation=organisation, actor=actor, texts=[title], place=Place.CHAT_TITLE, field="title")
    with transaction.atomic():
        chat = Chat.objects.create(
            organisation=organisation, kind=Chat.Kind.EXTRA_CHANNEL, title=title, created_by=actor
        )
        audit_record(
            organisation=organisation,
            actor=actor,
            action="chat.created",
            obj=chat,
            details={"note": f"Вид: {chat.get_kind_display()}"},
        )
        from .sync import chats_sync_organisation

        chats_sync_organisation(organisation=organisation)
    return chat
