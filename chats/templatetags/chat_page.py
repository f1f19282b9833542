"""The chat page's per-message links, built from patterns reversed once per page (chats.views.chat.page_urls)."""

from django import template

register = template.Library()

MESSAGE_ID = "987654321"  # stands for the message's id in the patterns: reversed once, then filled in per message


@register.filter
def message_url(pattern: str, message_id) -> str:
    """The pattern of a message's action with this message's id: `{{ urls.delete|message_url:m.pk }}`."""
    return pattern.replace(MESSAGE_ID, str(message_id))
