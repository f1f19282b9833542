"""The «Пригласить в чат» link on a chat's page, for those who may invite into that chat."""

from django import template

from portal.exceptions import PortalError

from ..permissions import CHAT_INVITE_KINDS, require_manage_chat_invites

register = template.Library()


@register.simple_tag(takes_context=True)
def may_invite_to_chat(context, chat) -> bool:
    """Owners of the chat and administrators, for a chat of kind «other» or a management chat not in the archive."""
    if chat.kind not in CHAT_INVITE_KINDS or chat.is_archived:
        return False  # without a query: class and subject chats and the channels are most of the chats
    try:
        require_manage_chat_invites(context["request"].user, chat)
    except PortalError:
        return False
    return True
