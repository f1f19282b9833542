"""Who may invite whom (SPEC permission matrix), on top of the orgs and chats permissions."""

from django.utils.translation import gettext as _

from chats.models import Chat
from chats.permissions import can_manage
from chats.services.membership import chat_may_hold
from orgs.models import Group
from orgs.permissions import is_admin
from orgs.selectors import is_unverified_teacher
from portal.exceptions import NotFound, PermissionDenied, PortalError, RuleViolation

from .models import Invite, InviteRole


def require_invite(actor, organisation, role: str, group: Group | None) -> None:
    """Administrators invite anyone; curators and verified teachers invite students and parents to their classes."""
    if role == InviteRole.TEACHER:
        if not actor.has_perm("orgs.invite_staff", organisation):
            raise PermissionDenied(_("Приглашать сотрудников может только администратор."))
        return
    if role == InviteRole.ADMIN:
        if not actor.has_perm("orgs.manage_admins", organisation):
            raise PermissionDenied(_("Ссылку для администратора создают только администраторы."))
        return
    if role == InviteRole.CURATOR and not actor.has_perm("orgs.invite_staff", organisation):
        raise PermissionDenied(
            _("Ссылку для %(curator_genitive)s создают только администраторы.")
            % {"curator_genitive": organisation.vocabulary.curator_genitive}
        )
    require_class_target(organisation, group)
    if actor.has_perm("orgs.invite_members", organisation) or actor.has_perm("orgs.invite_to_group", group):
        return
    _refuse_unverified(actor, organisation)
    raise PermissionDenied(
        _("Вы можете приглашать только в свои %(groups)s.") % {"groups": organisation.vocabulary.groups}
    )


def require_class_target(organisation, group: Group | None) -> None:
    """A link for students or parents leads into a class of this organisation that is not archived."""
    vocab = organisation.vocabulary
    if group is None or group.kind != Group.Kind.CLASS or group.organisation_id != organisation.pk:
        raise RuleViolation(
            _("Выберите класс, в который приглашаете.")
            if vocab.is_class
            else _("Выберите %(group_accusative)s, в которую приглашаете.")
            % {"group_accusative": vocab.group_accusative},
            code="class_required",
            fields={
                "target_group": [_("Выберите %(group_accusative)s.") % {"group_accusative": vocab.group_accusative}]
            },
        )
    if group.is_archived:
        raise RuleViolation(
            _("Класс в архиве: пригласить в него нельзя.")
            if vocab.is_class
            else _("%(group)s в архиве: пригласить в неё нельзя.") % {"group": str(vocab.group).capitalize()},
            code="class_archived",
        )


def _refuse_unverified(actor, organisation) -> None:
    if is_unverified_teacher(organisation, actor):
        raise PermissionDenied(
            _("Приглашать смогут только подтверждённые педагоги: дождитесь подтверждения администратором."),
            code="teacher_unverified",
        )


# Chats whose membership people choose: class and subject chats follow the structure, and the system channels
# hold the whole organisation (or all its staff).
CHAT_INVITE_KINDS = (Chat.Kind.OTHER, *Chat.MANAGEMENT_KINDS)


def require_manage_chat_invites(actor, chat: Chat) -> None:
    """Owners of a chat and administrators of its organisation invite into it, when it is a chat of kind «other»
    or a management chat that is not archived."""
    if not can_manage(actor, chat):
        raise PermissionDenied(_("Приглашать в чат могут его владельцы и администраторы организации."))
    if chat.is_channel:
        raise RuleViolation(
            _("Канал читают все участники организации (или все сотрудники): приглашать в него по ссылке не нужно."),
            code="chat_not_invitable",
            fields={"target_chat": [_("В канал по ссылке не приглашают.")]},
        )
    if chat.kind not in CHAT_INVITE_KINDS:
        vocab = chat.organisation.vocabulary
        raise RuleViolation(
            _(
                "Участников этого чата определяет структура: состав %(group_genitive)s, кураторство и "
                "нагрузка. Пригласить в него по ссылке нельзя — добавьте человека в %(group_accusative)s "
                "или создайте отдельный чат."
            )
            % {"group_genitive": vocab.group_genitive, "group_accusative": vocab.group_accusative},
            code="chat_not_invitable",
            fields={"target_chat": [_("Состав этого чата следует структуре.")]},
        )
    if chat.is_archived:
        raise RuleViolation(_("Чат в архиве: пригласить в него нельзя."), code="chat_archived")


def require_invite_to_chat(actor, organisation, role: str, chat: Chat) -> None:
    """Whether the actor may create an invite of this role into this chat. Students are invited by those who may
    invite them to a class: administrators, and the curators and verified teachers of the chat's class."""
    if chat.organisation_id != organisation.pk:
        raise NotFound(_("Чат не найден."))
    require_manage_chat_invites(actor, chat)
    if not chat_may_hold(chat, role):
        raise RuleViolation(
            (
                _(
                    "В чат «%(chat)s» не входят люди в роли «%(role)s»: обучающиеся бывают только в чатах "
                    "%(group_genitive)s и в чате совета обучающихся."
                )
                if role == InviteRole.STUDENT
                else _("В чат «%(chat)s» не входят люди в роли «%(role)s»: состав этого вида чата ограничен.")
            )
            % {
                "chat": chat.title,
                "role": InviteRole(role).label,
                "group_genitive": organisation.vocabulary.group_genitive,
            },
            code="chat_role_not_allowed",
            fields={"role": [_("Выберите другую роль.")]},
        )
    if is_admin(actor, organisation.pk):
        return
    if role == InviteRole.STUDENT:
        if chat.group_id is None:
            raise PermissionDenied(
                _("Приглашать обучающихся в чат, не связанный с %(group_instrumental)s, может только администратор.")
                % {"group_instrumental": organisation.vocabulary.group_instrumental},
                code="chat_students_admin_only",
            )
        if actor.has_perm("orgs.invite_to_group", chat.group):
            return
        _refuse_unverified(actor, organisation)
        raise PermissionDenied(
            _("Обучающихся вы можете приглашать только в чаты своих %(groups_genitive)s.")
            % {"groups_genitive": organisation.vocabulary.groups_genitive}
        )
    if role == InviteRole.PARENT:
        _refuse_unverified(actor, organisation)


def can_invite_to_class(user, organisation, group: Group) -> bool:
    """Opens the class's invites page: administrators, the class's curator and the verified teachers of the class."""
    return user.has_perm("orgs.invite_members", organisation) or user.has_perm("orgs.invite_to_group", group)


def can_manage_invite(actor, invite: Invite) -> bool:
    """Administrators manage every invite; others manage the invites they created."""
    return actor.has_perm("orgs.invite_members", invite.organisation) or invite.created_by_id == actor.pk


def require_manage_invite(actor, invite: Invite) -> None:
    if not can_manage_invite(actor, invite):
        raise PermissionDenied(_("Управлять этой ссылкой может её автор или администратор."))


def chat_invite_roles(actor, chat: Chat) -> list[str]:
    """The roles the actor may invite into this chat, in the order the page offers them."""
    roles = []
    for role in (InviteRole.TEACHER, InviteRole.STUDENT, InviteRole.PARENT):
        try:
            require_invite_to_chat(actor, chat.organisation, role, chat)
        except PortalError:
            continue
        roles.append(role)
    return roles
