"""Who an invite into a chat admits: people who already belong to the organisation in the invite's role."""

from django.utils.translation import gettext as _

from chats.models import ChatMember
from chats.services.membership import chat_member_join_check
from orgs.models import Membership, Placement
from portal.exceptions import RuleViolation

from ..models import Invite, InviteRole

# The organisation's roles an invite's role stands for: a staff link admits teachers and administrators alike.
ADMITTED_ROLES = {
    InviteRole.TEACHER: (Membership.Role.TEACHER, Membership.Role.ADMIN),
    InviteRole.STUDENT: (Membership.Role.STUDENT,),
    InviteRole.PARENT: (Membership.Role.PARENT,),
}


def chat_invite_admits(invite: Invite, user) -> Membership:
    """The membership that lets this person into the invite's chat; RuleViolation (400) with the reason if none.

    A student joins a chat tied to a class only from that class: a link passed on to another class admits no one.
    """
    org = invite.organisation
    chat = invite.target_chat
    memberships = list(Membership.objects.filter(organisation=org, user=user, valid_to__isnull=True))
    if not memberships:
        raise RuleViolation(
            _(
                "Эта ссылка — приглашение в чат организации «%(organisation)s». Сначала вступите в "
                "организацию по ссылке %(group_genitive)s или сотрудников."
            )
            % {"organisation": org.short_name, "group_genitive": org.vocabulary.group_genitive},
            code="chat_invite_not_member",
        )
    found = next((m for m in memberships if m.role in ADMITTED_ROLES[invite.role]), None)
    if found is None:
        raise RuleViolation(
            _(
                "Эта ссылка приглашает в чат «%(chat)s» в роли «%(role)s», а в «%(organisation)s» у вас "
                "другая роль. Попросите у пригласившего ссылку для вашей роли."
            )
            % {"chat": chat.title, "role": InviteRole(invite.role).label, "organisation": org.short_name},
            code="chat_invite_wrong_role",
        )
    if invite.role == InviteRole.STUDENT and chat.group_id is not None:
        placed = Placement.objects.filter(
            organisation=org, student=user, group_id=chat.group_id, valid_to__isnull=True
        ).exists()
        if not placed:
            raise RuleViolation(
                _(
                    "Этот чат — для обучающихся, которые состоят в %(group_locative)s «%(group)s». Попросите "
                    "ссылку в чат своего класса."
                )
                % {"group_locative": org.vocabulary.group_locative, "group": chat.group.name},
                code="chat_invite_other_class",
            )
    return found


def chat_invite_check(invite: Invite, user) -> None:
    """Everything that would refuse this person at joining, said before they press the button (the join page);
    a member of the chat already is not refused: joining again is harmless."""
    if ChatMember.objects.filter(chat=invite.target_chat, user=user, left_at__isnull=True).exists():
        return
    chat_invite_admits(invite, user)
    chat_member_join_check(chat=invite.target_chat, user=user)
