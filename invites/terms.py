"""What an invite promises, in words the invite page and the API both show."""

from django.utils.translation import gettext as _

from .models import InviteRole


def role_label(role, organisation) -> str:
    """The role as the organisation calls it: «преподаватель», «обучающийся», «куратор», «родитель (законный
    представитель)»; a school's curator link keeps its «классный руководитель (куратор)»."""
    vocab = organisation.vocabulary
    words = {InviteRole.TEACHER: vocab.teacher, InviteRole.STUDENT: vocab.student}
    if not vocab.is_class:
        words[InviteRole.CURATOR] = vocab.curator
    return str(words.get(role) or InviteRole(role).label)


def join_terms(invite, organisation):
    """What happens to whoever follows the link, truthfully for each role: «сразу» or who decides.

    A parent who picks a child from a class's list always waits for the curator: otherwise anyone holding a class
    link could call themselves any pupil's parent and read the parents' chat.
    """
    vocab = organisation.vocabulary
    if invite.target_chat_id:
        return _("сразу: человек вступает в чат")
    if invite.role == InviteRole.TEACHER:
        if invite.requires_approval:
            return _("после одобрения администратором; затем администратор подтверждает статус педагога")
        return _("сразу, в «%(staff)s»; затем администратор подтверждает статус педагога") % {
            "staff": vocab.staff_group
        }
    deciders = _("%(curator)s или администратор") % {"curator": vocab.curator}
    if invite.role == InviteRole.PARENT and not invite.bound_student_id:
        return _(
            "после подтверждения: родитель выбирает ребёнка из списка %(group_genitive)s или вписывает его имя, "
            "и %(deciders)s подтверждает, что это его ребёнок"
        ) % {"group_genitive": vocab.group_genitive, "deciders": deciders}
    if invite.requires_approval:
        return _("после одобрения: заявку рассматривает %(deciders)s") % {"deciders": deciders}
    return _("сразу")
