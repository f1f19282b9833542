"""Creating and managing invite links."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chats.models import Chat
from orgs.models import Group, Organisation, Placement
from orgs.services.appointment import admin_order_create
from orgs.services.audit import audit_record
from portal.accounts.phones import normalize_phone
from portal.exceptions import Conflict, RuleViolation
from portal.mail import site_url

from .. import tokens
from ..models import Invite, InvitePolicy, InviteRole
from ..permissions import require_invite, require_invite_to_chat, require_manage_invite
from .policy import policy_for  # noqa: F401 - the forms and the tests read the rules from here too
from .staff_links import staff_link_rules

Status = Invite.Status


def invite_url(invite: Invite) -> str | None:
    """The working link, decrypted from storage; None if the settings key changed."""
    token = tokens.decrypt(invite.token_encrypted)
    return site_url("invites:join", token) if token else None


def _new_token_fields() -> tuple[str, dict]:
    token = tokens.new_token()
    return token, {"token_hash": tokens.token_hash(token), "token_encrypted": tokens.encrypt(token)}


def _expiry(policy: InvitePolicy, role: str, expires_at, limit=None):
    now = timezone.now()
    latest = now + timedelta(days=policy.max_days)
    if limit is not None:
        latest = min(latest, limit)
    if expires_at is None:
        default = latest if role == InviteRole.ADMIN else now + timedelta(days=policy.default_days(role))
        expires_at = min(default, latest)
    if expires_at <= now:
        raise RuleViolation(
            _("Срок действия должен быть в будущем."),
            code="expiry_past",
            fields={"expires_at": [_("Укажите дату в будущем.")]},
        )
    if expires_at > latest + timedelta(seconds=1) and role == InviteRole.ADMIN:
        raise RuleViolation(
            _("Ссылка для администратора действует не дольше %(hours)s ч. (правило организации).")
            % {"hours": policy.admin_hours},
            code="expiry_too_long",
            fields={"expires_at": [_("Слишком долгий срок.")]},
        )
    if expires_at > latest + timedelta(seconds=1):
        raise RuleViolation(
            _("Ссылка не может действовать дольше %(days)s дн. (правило организации).") % {"days": policy.max_days},
            code="expiry_too_long",
            fields={"expires_at": [_("Слишком долгий срок.")]},
        )
    return expires_at


def invite_create(
    *,
    organisation: Organisation,
    actor,
    role: str,
    target_group: Group | None = None,
    max_uses: int | None = 1,
    expires_at=None,
    recipient_name: str = "",
    recipient_email: str = "",
    recipient_phone: str = "",
    bound_student=None,
    requires_approval: bool = False,
    target_chat: Chat | None = None,
    admin_order: dict | None = None,
) -> tuple[Invite, str]:
    """Create a link; returns the invite and its token (the only moment the token exists in clear).

    With `target_chat` the link leads into that chat and admits people who already belong to the organisation
    in the invite's role; it names no class and no child, and joining needs no approval.
    """
    if role not in InviteRole.values:
        raise RuleViolation(_("Неизвестная роль."), code="role_invalid", fields={"role": [_("Неизвестная роль.")]})
    if target_chat is not None:
        if role in (InviteRole.CURATOR, InviteRole.ADMIN):
            msg = _("В чат приглашают педагогов, обучающихся или родителей.")
            raise RuleViolation(msg, code="chat_invite_role", fields={"role": [msg]})
        if target_group is not None or bound_student is not None or requires_approval:
            raise RuleViolation(
                _(
                    "В приглашении в чат не указывают %(group_accusative)s, ребёнка и одобрение: по нему "
                    "вступают участники организации в выбранной роли."
                )
                % {"group_accusative": organisation.vocabulary.group_accusative},
                code="chat_invite_fields",
            )
        require_invite_to_chat(actor, organisation, role, target_chat)
    else:
        if role == InviteRole.TEACHER:
            target_group = Group.objects.get(organisation=organisation, kind=Group.Kind.STAFF)
        require_invite(actor, organisation, role, target_group)
    limit = None
    if role in (InviteRole.CURATOR, InviteRole.ADMIN):
        max_uses, limit = staff_link_rules(
            organisation=organisation,
            role=role,
            max_uses=max_uses,
            bound_student=bound_student,
            requires_approval=requires_approval,
            admin_order=admin_order,
        )
    elif admin_order is not None:
        raise RuleViolation(_("Приказ прикладывают только к ссылке для администратора."), code="order_not_allowed")
    if max_uses is not None and max_uses < 1:
        raise RuleViolation(_("Число использований — не меньше 1."), code="max_uses_invalid")
    if bound_student is not None:
        if role != InviteRole.PARENT:
            raise RuleViolation(_("Ребёнка указывают только в приглашении родителя."), code="bound_student_role")
        if not Placement.objects.filter(
            organisation=organisation, student=bound_student, group=target_group, valid_to__isnull=True
        ).exists():
            raise RuleViolation(
                _("Ребёнок должен учиться в %(group_locative)s «%(group)s».")
                % {"group_locative": organisation.vocabulary.group_locative, "group": target_group.name},
                code="bound_student_class",
            )
    if recipient_phone:
        recipient_phone = normalize_phone(recipient_phone)
    expires_at = _expiry(policy_for(organisation), role, expires_at, limit=limit)
    token, fields = _new_token_fields()
    with transaction.atomic():
        order = None
        if admin_order is not None:
            order = admin_order_create(organisation=organisation, actor=actor, **admin_order)
        invite = Invite.objects.create(
            admin_order=order,
            organisation=organisation,
            target_group=target_group,
            target_chat=target_chat,
            role=role,
            created_by=actor,
            max_uses=max_uses,
            expires_at=expires_at,
            recipient_name=recipient_name.strip(),
            recipient_email=recipient_email.strip(),
            recipient_phone=recipient_phone,
            bound_student=bound_student,
            requires_approval=requires_approval,
            **fields,
        )
        audit_record(
            organisation=organisation,
            actor=actor,
            action="invite.created",
            obj=invite,
            details={
                "role": role,
                "group": target_group.name if target_group else None,
                "chat": target_chat.title if target_chat else None,
                "max_uses": max_uses,
            },
        )
    return invite, token


def invite_relay(*, invite: Invite, actor, max_uses: int | None = None, expires_at=None) -> tuple[Invite, str]:
    """A curator passes on an administrator's class link: a child link credited to the curator, within the parent."""
    if invite.status != Status.ACTIVE or invite.expires_at <= timezone.now():
        raise Conflict(_("Передать можно только действующую ссылку."), code="invite_not_active")
    if invite.target_chat_id:
        raise RuleViolation(_("Ссылку в чат не передают: создайте свою на странице чата."), code="chat_invite_relay")
    require_invite(actor, invite.organisation, invite.role, invite.target_group)
    if invite.max_uses is not None:
        left = invite.max_uses - invite.use_count
        max_uses = min(max_uses or left, left)
    expires_at = _expiry(policy_for(invite.organisation), invite.role, expires_at, limit=invite.expires_at)
    token, fields = _new_token_fields()
    with transaction.atomic():
        child = Invite.objects.create(
            organisation=invite.organisation,
            target_group=invite.target_group,
            role=invite.role,
            created_by=actor,
            max_uses=max_uses,
            expires_at=expires_at,
            requires_approval=invite.requires_approval,
            bound_student=invite.bound_student,
            relayed_from=invite,
            **fields,
        )
        audit_record(
            organisation=invite.organisation,
            actor=actor,
            action="invite.relayed",
            obj=child,
            details={"from": invite.pk},
        )
    return child, token


def _set_status(invite: Invite, status: str, actor, action: str, note: str = "") -> Invite:
    invite.status = status
    invite.status_changed_at = timezone.now()
    invite.status_note = note[:300]
    invite.save(update_fields=["status", "status_changed_at", "status_note"])
    audit_record(
        organisation=invite.organisation, actor=actor, action=action, obj=invite, details={"note": note} if note else {}
    )
    return invite


def invite_revoke(*, invite: Invite, actor, note: str = "") -> Invite:
    """Revoke a link and the links relayed from it; a used link stays in history as it was."""
    require_manage_invite(actor, invite)
    with transaction.atomic():
        invite = Invite.objects.select_for_update().get(pk=invite.pk)
        if invite.status in (Status.ACTIVE, Status.PAUSED):
            _set_status(invite, Status.REVOKED, actor, "invite.revoked", note)
        Invite.objects.filter(relayed_from=invite, status__in=[Status.ACTIVE, Status.PAUSED]).update(
            status=Status.REVOKED, status_changed_at=timezone.now(), status_note="отозвана исходная ссылка"
        )
    return invite


def invite_revoke_all(*, organisation: Organisation, actor, group: Group | None = None, creator=None) -> int:
    """«Отозвать все действующие»: for a class, for the organisation, or of one creator."""
    qs = Invite.objects.filter(organisation=organisation, status__in=[Status.ACTIVE, Status.PAUSED])
    if group is not None:
        qs = qs.filter(target_group=group)
    if creator is not None:
        qs = qs.filter(created_by=creator)
    if not actor.has_perm("orgs.invite_members", organisation):
        if group is not None and actor.has_perm("orgs.invite_to_group", group):
            qs = qs.filter(created_by=actor)
        elif creator is not None and creator.pk == actor.pk:
            pass
        else:
            from portal.exceptions import PermissionDenied

            raise PermissionDenied(_("Отозвать все ссылки может администратор; вы — только свои."))
    with transaction.atomic():
        ids = list(qs.values_list("pk", flat=True))
        count = Invite.objects.filter(
            Q(pk__in=ids) | Q(relayed_from__in=ids), status__in=[Status.ACTIVE, Status.PAUSED]
        ).update(status=Status.REVOKED, status_changed_at=timezone.now(), status_note="отозваны все ссылки")
        audit_record(
            organisation=organisation,
            actor=actor,
            action="invite.revoked_all",
            obj=group,
            details={"count": count, "creator": creator.pk if creator else None},
        )
    return count


def invite_regenerate(*, invite: Invite, actor) -> tuple[Invite, str]:
    """Give the same invite a new token; the old link stops working at once."""
    require_manage_invite(actor, invite)
    token, fields = _new_token_fields()
    with transaction.atomic():
        invite = Invite.objects.select_for_update().get(pk=invite.pk)
        if invite.status not in (Status.ACTIVE, Status.PAUSED):
            raise Conflict(
                _("Обновить можно только действующую или приостановленную ссылку."), code="invite_not_active"
            )
        for name, value in fields.items():
            setattr(invite, name, value)
        invite.save(update_fields=list(fields))
        _set_status(invite, Status.ACTIVE, actor, "invite.regenerated")
    return invite, token


def invite_pause(*, invite: Invite, actor, note: str = "") -> Invite:
    require_manage_invite(actor, invite)
    with transaction.atomic():
        invite = Invite.objects.select_for_update().get(pk=invite.pk)
        if invite.status != Status.ACTIVE:
            raise Conflict(_("Приостановить можно только действующую ссылку."), code="invite_not_active")
        return _set_status(invite, Status.PAUSED, actor, "invite.paused", note)


def invite_resume(*, invite: Invite, actor) -> Invite:
    require_manage_invite(actor, invite)
    with transaction.atomic():
        invite = Invite.objects.select_for_update().get(pk=invite.pk)
        if invite.status != Status.PAUSED:
            raise Conflict(_("Возобновить можно только приостановленную ссылку."), code="invite_not_paused")
        if invite.expires_at <= timezone.now():
            return _set_status(invite, Status.EXPIRED, actor, "invite.expired")
        return _set_status(invite, Status.ACTIVE, actor, "invite.resumed")


def staff_group(organisation: Organisation) -> Group:
    return Group.objects.get(organisation=organisation, kind=Group.Kind.STAFF)
