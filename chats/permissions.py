"""Who may read, post in and moderate a chat. Checked per object by the services and the API."""

from zoneinfo import ZoneInfo

from django.utils import timezone

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


def _membership(user, chat: Chat) -> ChatMember | None:
    if not _active(user):
        return None
    return (
        ChatMember.objects.filter(chat=chat, user=user, left_at__isnull=True)
        .only("role", "muted_at", "muted_until")
        .first()
    )


def can_post(user, chat: Chat) -> bool:
    """Active members post, except in archived chats and while muted; in the system channels only their owners post."""
    if chat.is_archived:
        return False
    member = _membership(user, chat)
    if member is None or member.is_muted():
        return False
    return member.role == ChatMember.Role.OWNER if chat.is_channel else True


def mute_notice(user, chat: Chat) -> str | None:
    """Why a muted member cannot write, with the end of the mute in the organisation's time zone; else None."""
    member = _membership(user, chat)
    if member is None or not member.is_muted():
        return None
    if member.muted_until is None:
        return "Вы не можете писать в этот чат, пока модератор не снимет ограничение."
    local = timezone.localtime(member.muted_until, ZoneInfo(chat.organisation.time_zone))
    return f"Вы не можете писать в этот чат до {local:%d.%m.%Y %H:%M}."


def can_pin(user, chat: Chat) -> bool:
    """Those who moderate a chat pin its posts; in the system channels, their owners and the administrators."""
    if chat.is_channel:
        return chat_role(user, chat) == ChatMember.Role.OWNER or is_org_admin(user, chat.organisation_id)
    return can_moderate(user, chat)


def can_moderate(user, chat: Chat) -> bool:
    """Owners and moderators of the chat and administrators of its organisation."""
    if chat_role(user, chat) in (ChatMember.Role.OWNER, ChatMember.Role.MODERATOR):
        return True
    return is_org_admin(user, chat.organisation_id)


def can_manage(user, chat: Chat) -> bool:
    """Owners of the chat and administrators of its organisation rename, archive, restore it and add members."""
    if chat_role(user, chat) == ChatMember.Role.OWNER:
        return True
    return is_org_admin(user, chat.organisation_id)
