"""Who may read, post in and moderate a chat. Checked per object by the services and the API."""

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import F, FilteredRelation, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.permissions import is_admin

from .models import Chat, ChatMember


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


@dataclass(frozen=True)
class Standing:
    """What the rights of one person in one chat depend on: their active membership row and whether they administer
    the chat's organisation. Each rule below is a function of it, so a page asks the database once for all of them."""

    member: ChatMember | None
    admin: bool

    @property
    def role(self) -> str | None:
        return self.member.role if self.member else None

    @property
    def muted(self) -> bool:
        return self.member is not None and self.member.is_muted()


_VIEWER_MEMO = "_viewer_rows"


def remember_viewers(chat: Chat, viewer=None) -> Chat:
    """Keep the membership rows this chat instance reads, for the rest of a request that only reads: a page asks
    «may they read, post, pin, leave?» of one row instead of one query per question. Never for a request that
    changes memberships (it would answer from the row it read before the change). With `viewer`, the chat was read
    `with_viewer` that person: their row (or its absence) is kept from the chat's own query."""
    memo = chat.__dict__[_VIEWER_MEMO] = {}
    if viewer is not None:
        values = [getattr(chat, f"viewer_{name}") for name in VIEWER_FIELDS]
        memo[viewer.pk] = None if values[0] is None else ChatMember.from_db(chat._state.db, VIEWER_FIELDS, values)
    return chat


# The fields of a membership row the rules below read (as `_membership` loads them).
VIEWER_FIELDS = ("id", "role", "muted_at", "muted_until")


def with_viewer(chats: QuerySet, user) -> QuerySet:
    """The chats with the person's active membership row joined in (one at most: a partial unique index), as
    `viewer_<field>` of VIEWER_FIELDS, for `remember_viewers(chat, user)`: a page reads its chat and the viewer's
    standing in one query. `user` must be an active person."""
    row = FilteredRelation("members", condition=Q(members__user_id=user.pk, members__left_at__isnull=True))
    return chats.annotate(viewer_row=row).annotate(
        **{f"viewer_{name}": F(f"viewer_row__{name}") for name in VIEWER_FIELDS}
    )


def _membership(user, chat: Chat) -> ChatMember | None:
    if not _active(user):
        return None
    memo = chat.__dict__.get(_VIEWER_MEMO)
    if memo is not None and user.pk in memo:
        return memo[user.pk]
    # One active row at most (a partial unique index); ordered by its key, not by the model's default ordering,
    # whose «chat» joined the chats' table to sort a single row by the chat's own ordering.
    row = (
        ChatMember.objects.filter(chat=chat, user=user, left_at__isnull=True)
        .only(*VIEWER_FIELDS)
        .order_by("pk")
        .first()
    )
    if memo is not None:
        memo[user.pk] = row
    return row


def standing(user, chat: Chat) -> Standing:
    """The person's standing in the chat: two queries, whatever rules are asked of it afterwards."""
    return Standing(_membership(user, chat), is_admin(user, chat.organisation_id))


def chat_role(user, chat: Chat) -> str | None:
    """The user's role in the chat while they are an active member, else None."""
    member = _membership(user, chat)
    return member.role if member else None


def can_read(user, chat: Chat) -> bool:
    """Active members read a chat; administrators of its organisation read every chat of it."""
    return chat_role(user, chat) is not None or is_admin(user, chat.organisation_id)


def may_post(s: Standing, chat: Chat) -> bool:
    """Active members post, except in archived chats and while muted; in the system channels only their owners post."""
    if chat.is_archived or s.member is None or s.muted:
        return False
    return s.role == ChatMember.Role.OWNER if chat.is_channel else True


def may_moderate(s: Standing) -> bool:
    """Owners and moderators of the chat and administrators of its organisation."""
    return s.role in (ChatMember.Role.OWNER, ChatMember.Role.MODERATOR) or s.admin


def may_pin(s: Standing, chat: Chat) -> bool:
    """Those who moderate a chat pin its posts; in the system channels, their owners and the administrators."""
    if chat.is_channel:
        return s.role == ChatMember.Role.OWNER or s.admin
    return may_moderate(s)


def muted_notice(s: Standing, chat: Chat) -> str | None:
    """Why a muted member cannot write, with the end of the mute in the organisation's time zone; else None."""
    if not s.muted:
        return None
    if s.member.muted_until is None:
        return _("Вы не можете писать в этот чат, пока модератор не снимет ограничение.")
    local = timezone.localtime(s.member.muted_until, ZoneInfo(chat.organisation.time_zone))
    return _("Вы не можете писать в этот чат до %(until)s.") % {"until": f"{local:%d.%m.%Y %H:%M}"}


def can_post(user, chat: Chat) -> bool:
    """See may_post."""
    return may_post(Standing(_membership(user, chat), admin=False), chat)


def mute_notice(user, chat: Chat) -> str | None:
    """See muted_notice."""
    return muted_notice(Standing(_membership(user, chat), admin=False), chat)


def can_pin(user, chat: Chat) -> bool:
    """See may_pin."""
    return may_pin(standing(user, chat), chat)


def can_moderate(user, chat: Chat) -> bool:
    """See may_moderate."""
    return may_moderate(standing(user, chat))


def can_manage(user, chat: Chat) -> bool:
    """Owners of the chat and administrators of its organisation rename, archive, restore it and add members."""
    if chat_role(user, chat) == ChatMember.Role.OWNER:
        return True
    return is_admin(user, chat.organisation_id)
