from collections import defaultdict

from chats.models import Chat, ChatMember


def chat_state(organisation) -> dict:
    """{(kind, class, subject): {user id: role}} of the active members, archived chats marked with "archived"."""
    state = defaultdict(dict)
    for chat in Chat.objects.filter(organisation=organisation).select_related("group"):
        state[_key(chat)]  # chats without members show up too
    rows = ChatMember.objects.filter(chat__organisation=organisation, left_at__isnull=True).select_related(
        "chat__group"
    )
    for row in rows:
        state[_key(row.chat)][row.user_id] = row.role
    return dict(state)


def _key(chat):
    return (chat.kind, chat.group.name if chat.group else None, chat.subject, "archived" if chat.is_archived else "")
