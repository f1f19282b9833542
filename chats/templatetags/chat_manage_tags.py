"""What the chat pages offer for managing chats: «Создать чат», the table of all chats, archive, restore, leave."""

from django import template

from orgs.permissions import is_admin

from ..models import Chat, ChatMember
from ..permissions import chat_role
from ..services.manage import creatable_kinds, may_leave

register = template.Library()


@register.simple_tag(takes_context=True)
def chat_create_rights(context) -> dict:
    """{"create": may create some chat here, "admin": sees every chat of the organisation}."""
    request, org = context.get("request"), context.get("current_org")
    if request is None or org is None or not request.user.is_authenticated:
        return {}
    return {"create": bool(creatable_kinds(request.user, org)), "admin": is_admin(request.user, org.pk)}


@register.simple_tag(takes_context=True)
def chat_manage_rights(context, chat: Chat) -> dict:
    """Which of archive, restore, add members and leave the viewer is offered for this chat."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return {}
    role = chat_role(request.user, chat)
    by_hand = chat.kind not in Chat.CHANNEL_KINDS and chat.kind not in Chat.STRUCTURE_KINDS
    manage = by_hand and (role == ChatMember.Role.OWNER or is_admin(request.user, chat.organisation_id))
    return {
        "archive": manage and not chat.is_archived,
        "restore": manage and chat.is_archived,
        "add": manage and not chat.is_archived,
        "leave": may_leave(chat, role),
    }
