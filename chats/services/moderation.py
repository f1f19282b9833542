"""Moderation: reports about messages and their queue, muting and removing members, pinned posts.

Who acts on whom (one rule set, used by the services and by the members page to decide which buttons to show):
owners, moderators and the organisation's administrators moderate a chat; only an administrator acts on an owner,
and never on the chat's last owner; a moderator does not act on another moderator; only an administrator acts on
another administrator; nobody acts on themselves.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import Membership
from orgs.permissions import is_admin
from orgs.services.audit import audit_record
from portal.exceptions import Conflict, NotFound, PermissionDenied, PortalError, RuleViolation
from portal.mail import email_after_commit, letter_render, site_url
from portal.quotes import inner_quotes

from ..models import Chat, ChatMember, Message, Report
from ..permissions import can_moderate, can_pin, can_read, chat_role
from .messages import message_delete

OWNER, MODERATOR = ChatMember.Role.OWNER, ChatMember.Role.MODERATOR
MUTE, UNMUTE, REMOVE = "mute", "unmute", "remove"
MAX_PINNED = 10
COMMENT_MAX_LENGTH = 500


# --- reports -----------------------------------------------------------------------------------------------------


def report_create(*, message: Message, actor, reason: str, comment: str = "") -> Report:
    """Report someone else's live message of a chat the actor reads. A second open report of the same person about
    the same message is refused (409) rather than added: the queue already has it. Moderators are told by e-mail."""
    chat = message.chat
    if not can_read(actor, chat):
        raise NotFound(_("Сообщение не найдено."))
    if message.author_id is None:
        raise RuleViolation(_("Это служебное сообщение портала: пожаловаться на него нельзя."), code="system_message")
    if message.author_id == actor.pk:
        raise RuleViolation(_("На своё сообщение пожаловаться нельзя: его можно изменить или удалить."), code="own")
    if message.is_deleted:
        raise RuleViolation(_("Сообщение уже удалено."), code="deleted")
    if reason not in Report.Reason.values:
        raise RuleViolation(_("Выберите причину жалобы."), code="reason", fields={"reason": [_("Выберите причину.")]})
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        msg = _("Комментарий длиннее %(limit)s символов.") % {"limit": COMMENT_MAX_LENGTH}
        raise RuleViolation(msg, code="too_long", fields={"comment": [msg]})
    already = _("Вы уже пожаловались на это сообщение. Жалоба ждёт решения модератора.")
    if Report.objects.filter(message=message, reporter=actor, status=Report.Status.OPEN).exists():
        raise Conflict(already, code="already_reported")
    try:
        # The partial unique index settles a double click that passes the check above twice.
        with transaction.atomic():
            report = Report.objects.create(
                organisation_id=chat.organisation_id,
                chat=chat,
                message=message,
                reporter=actor,
                reason=reason,
                comment=comment,
            )
            _notify_moderators(report)
    except IntegrityError:
        raise Conflict(already, code="already_reported") from None
    return report


def _notify_moderators(report: Report) -> None:
    """One short letter to each owner and moderator of the chat and each administrator; after commit."""
    chat = report.chat
    moderators = ChatMember.objects.filter(chat=chat, left_at__isnull=True, role__in=(OWNER, MODERATOR))
    admins = Membership.objects.filter(
        organisation_id=chat.organisation_id, role=Membership.Role.ADMIN, valid_to__isnull=True
    )
    ids = {*moderators.values_list("user_id", flat=True), *admins.values_list("user_id", flat=True)}
    ids.discard(report.reporter_id)
    addresses = (
        get_user_model()
        .objects.filter(pk__in=ids, is_active=True)
        .exclude(email="")
        .exclude(email__isnull=True)
        .values_list("email", flat=True)
    )
    letter = letter_render(
        "chat_report",
        {
            "automatic": report.automatic,
            "chat_title": inner_quotes(chat.title),
            "reason": report.get_reason_display(),
            "link": site_url("chats:reports", chat.organisation_id),
        },
    )
    # One letter per person: moderators do not see each other's addresses.
    for address in sorted(set(addresses)):
        email_after_commit(**letter, recipients=[address])


def report_resolve(*, report: Report, actor, action: str, note: str = "") -> Report:
    """Settle an open report as one who moderates its chat: "delete_message" deletes the message (a marker stays),
    "dismiss" keeps it; either way every open report about that message is closed with the same decision."""
    chat = report.chat
    if not can_moderate(actor, chat):
        if can_read(actor, chat):
            raise PermissionDenied(_("Жалобы рассматривают владельцы и модераторы чата и администраторы."))
        raise NotFound(_("Жалоба не найдена."))
    if action not in ("delete_message", "dismiss"):
        raise RuleViolation(_("Неизвестное решение."), code="action", fields={"action": [_("Выберите решение.")]})
    note = (note or "").strip()
    if len(note) > COMMENT_MAX_LENGTH:
        msg = _("Комментарий длиннее %(limit)s символов.") % {"limit": COMMENT_MAX_LENGTH}
        raise RuleViolation(msg, code="too_long", fields={"note": [msg]})
    status = Report.Status.MESSAGE_DELETED if action == "delete_message" else Report.Status.DISMISSED
    with transaction.atomic():
        # Lock the report: two moderators deciding at once settle it once; the second is told it is settled.
        locked = Report.objects.select_for_update().filter(pk=report.pk).first()
        if locked is None:
            raise NotFound(_("Жалоба не найдена."))
        if locked.status != Report.Status.OPEN:
            raise Conflict(_("Эта жалоба уже рассмотрена."), code="already_resolved")
        Report.objects.filter(message_id=report.message_id, status=Report.Status.OPEN).update(
            status=status, resolved_by=actor, resolved_at=timezone.now(), resolution_note=note
        )
        if action == "delete_message":
            message = Message.objects.select_related("chat").get(pk=report.message_id)
            message_delete(message=message, actor=actor)
        audit_record(
            organisation=chat.organisation,
            actor=actor,
            action=f"report.{'message_deleted' if action == 'delete_message' else 'dismissed'}",
            obj=chat,
            details={"reason": report.get_reason_display(), "note": note},
        )
    report.refresh_from_db()
    return report


# --- members -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """The actor as the member rules see them: their id, their role in the chat, whether they administer its
    organisation."""

    user_id: int
    role: str | None
    is_admin: bool


def standing_of(actor, chat: Chat) -> Standing:
    """The actor's standing in the chat (two queries)."""
    return Standing(actor.pk, chat_role(actor, chat), is_admin(actor, chat.organisation_id))


def member_refusal(
    chat: Chat, standing: Standing, target: ChatMember, *, target_is_admin: bool, owner_count: int, action: str
) -> PortalError | None:
    """Why the actor may not mute, unmute or remove this member, or None when they may. Queries nothing."""
    if not (standing.is_admin or standing.role in (OWNER, MODERATOR)):
        return PermissionDenied(
            _("Ограничивать и исключать участников могут владельцы и модераторы чата и администраторы.")
        )
    if target.user_id == standing.user_id:
        return RuleViolation(_("Это действие нельзя применить к самому себе."), code="self")
    if target.role == OWNER:
        if not standing.is_admin:
            return PermissionDenied(
                _("Владельца чата может ограничить или исключить только администратор организации.")
            )
        if action != UNMUTE and owner_count <= 1:
            return RuleViolation(
                _("Это единственный владелец чата: сначала назначьте другого владельца."), code="last_owner"
            )
    if target.role == MODERATOR and not (standing.is_admin or standing.role == OWNER):
        return PermissionDenied(_("Модератор не может ограничить или исключить другого модератора."))
    if target_is_admin and not standing.is_admin:
        return PermissionDenied(_("Администратора организации может ограничить или исключить только администратор."))
    if action == REMOVE and target.managed_by_structure:
        if chat.is_channel:
            return RuleViolation(
                _("Состав канала следует за составом организации: исключить из него нельзя, можно запретить писать."),
                code="structure_member",
            )
        if chat.kind in Chat.STRUCTURE_KINDS:
            return RuleViolation(
                _("Участник добавлен по структуре: исключите его из класса или измените нагрузку."),
                code="structure_member",
            )
    return None


def _act_on_member(chat: Chat, actor, user, action: str) -> ChatMember:
    """Inside a transaction: lock the target's row and the chat's owners, check the rules, return the row."""
    user_id = getattr(user, "pk", user)
    if not can_read(actor, chat):
        raise NotFound(_("Чат не найден."))
    standing = standing_of(actor, chat)
    # Lock the owners' rows too, so that two administrators cannot take out the last two owners at once.
    owners = list(ChatMember.objects.select_for_update().filter(chat=chat, left_at__isnull=True, role=OWNER))
    target = (
        ChatMember.objects.select_for_update(of=("self",))
        .filter(chat=chat, user_id=user_id, left_at__isnull=True)
        .select_related("user")
        .first()
    )
    if target is None:
        raise NotFound(_("Такого участника в чате нет."))
    refusal = member_refusal(
        chat,
        standing,
        target,
        target_is_admin=is_admin(target.user, chat.organisation_id),
        owner_count=len(owners),
        action=action,
    )
    if refusal is not None:
        raise refusal
    return target


def member_mute(*, chat: Chat, actor, user, until: datetime | None = None) -> ChatMember:
    """Forbid a member to write (post, edit, vote) until a moment, or until a moderator lifts it (None)."""
    now = timezone.now()
    if until is not None:
        if timezone.is_naive(until):
            raise RuleViolation(
                _("Укажите время с часовым поясом."), code="until", fields={"until": [_("Нужен пояс.")]}
            )
        if until <= now:
            msg = _("Ограничение можно установить только до времени в будущем.")
            raise RuleViolation(msg, code="until", fields={"until": [msg]})
    with transaction.atomic():
        target = _act_on_member(chat, actor, user, MUTE)
        target.muted_at, target.muted_until, target.muted_by = now, until, actor
        target.save(update_fields=["muted_at", "muted_until", "muted_by"])
        _audit_member(chat, actor, user, "chat.member_muted", until=until)
    return target


def member_unmute(*, chat: Chat, actor, user) -> ChatMember:
    """Let a muted member write again; harmless when they are not muted."""
    with transaction.atomic():
        target = _act_on_member(chat, actor, user, UNMUTE)
        target.muted_at = target.muted_until = target.muted_by = None
        target.save(update_fields=["muted_at", "muted_until", "muted_by"])
        _audit_member(chat, actor, user, "chat.member_unmuted")
    return target


def member_remove(*, chat: Chat, actor, user) -> ChatMember:
    """Take a member added by hand out of the chat: they stop reading it; the row stays as history."""
    with transaction.atomic():
        target = _act_on_member(chat, actor, user, REMOVE)
        target.left_at, target.removed_by = timezone.now(), actor
        target.save(update_fields=["left_at", "removed_by"])
        _audit_member(chat, actor, user, "chat.member_removed")
    return target


def _audit_member(chat: Chat, actor, user, action: str, until=None) -> None:
    details = {"member": getattr(user, "pk", user)}
    if until is not None:
        zone = ZoneInfo(chat.organisation.time_zone)
        details["until"] = f"{timezone.localtime(until, zone):%d.%m.%Y %H:%M}"
    audit_record(organisation=chat.organisation, actor=actor, action=action, obj=chat, details=details)


# --- pinned posts ------------------------------------------------------------------------------------------------


def _require_pin(message: Message, actor) -> Chat:
    chat = message.chat
    if not can_read(actor, chat):
        raise NotFound(_("Сообщение не найдено."))
    if not can_pin(actor, chat):
        if chat.is_channel:
            raise PermissionDenied(_("Закреплять посты в канале могут его владельцы и администраторы."))
        raise PermissionDenied(_("Закреплять сообщения могут владельцы и модераторы чата и администраторы."))
    return chat


def message_pin(*, message: Message, actor) -> Message:
    """Pin a live message above the chat's feed; pinning a pinned message changes nothing."""
    chat = _require_pin(message, actor)
    if chat.is_archived:
        raise RuleViolation(_("Чат в архиве: закреплять сообщения нельзя."), code="archived")
    if message.is_deleted:
        raise RuleViolation(_("Удалённое сообщение закрепить нельзя."), code="deleted")
    if message.pinned_at is not None:
        return message
    with transaction.atomic():
        # Lock the chat so that two moderators pinning at once cannot pass the limit together.
        Chat.objects.select_for_update().filter(pk=chat.pk).first()
        if Message.objects.filter(chat=chat, pinned_at__isnull=False).count() >= MAX_PINNED:
            raise RuleViolation(
                _("Закрепить можно не больше %(limit)s сообщений: сначала открепите одно из них.")
                % {"limit": MAX_PINNED},
                code="too_many",
            )
        message.pinned_at, message.pinned_by = timezone.now(), actor
        message.save(update_fields=["pinned_at", "pinned_by"])
    return message


def message_unpin(*, message: Message, actor) -> Message:
    """Unpin a message; unpinning one that is not pinned changes nothing."""
    _require_pin(message, actor)
    if message.pinned_at is not None:
        message.pinned_at = message.pinned_by = None
        message.save(update_fields=["pinned_at", "pinned_by"])
    return message
