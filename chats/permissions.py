"""Who may read, post in and moderate a chat. Checked per object by the services and the API."""

from orgs.models import Membership

from .models import Chat, ChatMember


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def chat_role(user, chat: Chat) -> str | None:
    """The user's role in the chat while they are an active member, else None."""
    if not _active(user):
        return None
    return ChatMember.objects.filter(chat=chat, user=user, left_at__isnull=True).values_list("role", flat=True).first()


def is_org_admin(user, organisation_id: int) -> bool:
    return (
        _active(user)
        and Membership.objects.filter(
            organisation_id=organisation_id, user=user, role=Membership.Role.ADMIN, valid_to__isnull=True
        ).exists()
    )


def can_read(user, chat: Chat) -> bool:
    """Active members read a chat; administrators of its organisation read every chat of it."""
    return chat_role(user, chat) is not None or is_org_admin(user, chat.organisation_id)


def can_post(user, chat: Chat) -> bool:
    """Active members post, except in archived chats; in the system channels only their owners post."""
    if chat.is_archived:
        return False
    role = chat_role(user, chat)
    if role is None:
        return False
    return role == ChatMember.Role.OWNER if chat.is_channel else True


def can_moderate(user, chat: Chat) -> bool:
    """Owners and moderators of the chat and administrators of its organisation."""
    if chat_role(user, chat) in (ChatMember.Role.OWNER, ChatMember.Role.MODERATOR):
        return True
    return is_org_admin(user, chat.organisation_id)
