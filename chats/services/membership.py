"""People who join a chat created by hand on their own (by an invite into the chat), by the rules of its kind.

Who a chat may hold is decided where chats are created (services.pools): a class's chat holds the class's students,
their parents and its teachers; students are only in a class's chats and the student council, and never alone with
one adult. Joining by oneself follows the same rules.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from orgs.models import Membership
from portal.exceptions import Conflict, RuleViolation
from portal.quotes import inner_quotes

from ..models import Chat, ChatMember
from .pools import PARENT, POOLS, STAFF, STUDENT, check_safety, member_pool

# The categories of people (services.pools) that each role of the organisation stands for.
ROLE_CATEGORIES = {
    Membership.Role.TEACHER: STAFF,
    Membership.Role.ADMIN: STAFF,
    Membership.Role.STUDENT: {STUDENT},
    Membership.Role.PARENT: {PARENT},
}


def chat_may_hold(chat: Chat, role: str) -> bool:
    """Whether the chat may hold people of this role of the organisation at all (before asking who they are)."""
    if chat.kind in Chat.CHANNEL_KINDS or chat.kind in Chat.STRUCTURE_KINDS:
        return False
    if chat.group_id is not None:
        return True  # the class's students, their parents and its teachers
    if role == Membership.Role.STUDENT:
        return chat.kind == Chat.Kind.MGMT_STUDENT_COUNCIL
    return bool(POOLS.get(chat.kind, set()) & ROLE_CATEGORIES[role])


def chat_member_join_check(*, chat: Chat, user) -> None:
    """Raise (400) unless the person may join this chat by themselves: one whom its kind (or its class) admits, and
    never so that the chat holds just one adult and one student (as chat creation refuses it)."""
    if chat.is_archived:
        raise Conflict(_("Чат в архиве: вступить в него нельзя."), code="chat_archived")
    pool = member_pool(organisation=chat.organisation, kind=chat.kind, group=chat.group, user_ids=[user.pk])
    if user.pk not in pool:
        where = (
            _("в этот чат входят обучающиеся, их родители и педагоги класса «%(group)s»")
            % {"group": inner_quotes(chat.group.name)}
            if chat.group_id
            else _("в чат вида «%(kind)s» входят не все участники организации") % {"kind": chat.get_kind_display()}
        )
        raise RuleViolation(
            _("Вступить в чат «%(title)s» вы не можете: %(where)s.")
            % {"title": inner_quotes(chat.title), "where": where},
            code="chat_member_not_allowed",
        )
    others = ChatMember.objects.filter(chat=chat, left_at__isnull=True).exclude(user=user)
    try:
        check_safety(chat.organisation, chat.kind, chat.group, [*others.values_list("user_id", flat=True), user.pk])
    except RuleViolation as error:
        if error.code != "private_with_student":
            raise
        raise RuleViolation(
            _(
                "Вступить пока нельзя: в чате остались бы один взрослый и один обучающийся, а личная переписка "
                "педагога с обучающимся вне чатов класса не допускается. Попросите пригласившего сначала добавить "
                "в чат других участников."
            ),
            code="private_with_student",
        ) from None


def chat_member_join(*, chat: Chat, user) -> tuple[ChatMember, bool]:
    """Add the person as a hand-added member (role «member») after chat_member_join_check; returns (row, created).
    An active member stays as they are. The sync leaves hand-added rows while the person belongs to the
    organisation."""
    with transaction.atomic():
        # One join at a time per chat: two at once would both pass the «not alone with one adult» check.
        Chat.objects.select_for_update().filter(pk=chat.pk).values_list("pk", flat=True).first()
        existing = ChatMember.objects.filter(chat=chat, user=user, left_at__isnull=True).first()
        if existing is not None:
            return existing, False
        chat_member_join_check(chat=chat, user=user)
        try:
            # The partial unique index (one active row per person and chat) has the last word.
            with transaction.atomic():
                row = ChatMember.objects.create(
                    chat=chat, user=user, role=ChatMember.Role.MEMBER, managed_by_structure=False
                )
        except IntegrityError:
            return ChatMember.objects.get(chat=chat, user=user, left_at__isnull=True), False
    return row, True
