"""Who may invite whom (SPEC permission matrix), on top of the orgs permissions."""

from orgs.models import Group, Membership
from portal.exceptions import PermissionDenied, RuleViolation

from .models import Invite, InviteRole


def check_can_invite(actor, organisation, role: str, group: Group | None) -> None:
    """Administrators invite anyone; curators and verified teachers invite students and parents to their classes."""
    if role == InviteRole.TEACHER:
        if not actor.has_perm("orgs.invite_staff", organisation):
            raise PermissionDenied("Приглашать сотрудников может только администратор.")
        return
    if group is None or group.kind != Group.Kind.CLASS or group.organisation_id != organisation.pk:
        raise RuleViolation(
            "Выберите класс, в который приглашаете.",
            code="class_required",
            fields={"target_group": ["Выберите класс."]},
        )
    if group.is_archived:
        raise RuleViolation("Класс в архиве: пригласить в него нельзя.", code="class_archived")
    if actor.has_perm("orgs.invite_members", organisation) or actor.has_perm("orgs.invite_to_group", group):
        return
    unverified = (
        Membership.objects.filter(
            organisation=organisation, user=actor, role=Membership.Role.TEACHER, valid_to__isnull=True
        )
        .exclude(verification=Membership.Verification.VERIFIED)
        .exists()
    )
    if unverified:
        raise PermissionDenied(
            "Приглашать смогут только подтверждённые педагоги: дождитесь подтверждения администратором.",
            code="teacher_unverified",
        )
    raise PermissionDenied("Вы можете приглашать только в свои классы.")


def can_manage_invite(actor, invite: Invite) -> bool:
    """Administrators manage every invite; others manage the invites they created."""
    return actor.has_perm("orgs.invite_members", invite.organisation) or invite.created_by_id == actor.pk


def check_can_manage(actor, invite: Invite) -> None:
    if not can_manage_invite(actor, invite):
        raise PermissionDenied("Управлять этой ссылкой может её автор или администратор.")
