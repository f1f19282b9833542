"""Links for the two appointed roles: a curator link (a teacher who joins by it becomes the named class's curator
once verified) and an administrator link (single-use, short-lived, made by administrators, carrying the order)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import Membership, Organisation
from orgs.services.appointment import admin_order_clean
from orgs.services.membership import admin_appoint_by_link, curator_assign, membership_add
from portal.exceptions import PermissionDenied, RuleViolation

from ..models import Invite, InviteRole, Redemption
from .policy import policy_for


def staff_link_rules(
    *, organisation: Organisation, role: str, max_uses, bound_student, requires_approval, admin_order
) -> tuple[int, object]:
    """Check what a curator or administrator link may hold; returns its uses (always one) and its latest expiry."""
    if bound_student is not None or requires_approval:
        raise RuleViolation(
            _("В ссылке для %(curator_genitive)s или администратора не указывают ребёнка и одобрение.")
            % {"curator_genitive": organisation.vocabulary.curator_genitive},
            code="staff_link_fields",
        )
    if max_uses != 1:
        msg = _("Эта ссылка одноразовая: по ней вступает один человек.")
        raise RuleViolation(msg, code="staff_link_single_use", fields={"max_uses": [msg]})
    if role == InviteRole.CURATOR:
        if admin_order is not None:
            raise RuleViolation(_("Приказ прикладывают только к ссылке для администратора."), code="order_not_allowed")
        return 1, None
    if admin_order is None:
        msg = _("Укажите приказ о назначении администратора: номер и дату.")
        raise RuleViolation(msg, code="order_required", fields={"order_number": [msg]})
    admin_order_clean(
        number=admin_order.get("number", ""), date=admin_order.get("date"), order_file=admin_order.get("order_file")
    )
    return 1, timezone.now() + timedelta(hours=policy_for(organisation).admin_hours)


def staff_link_join(invite: Invite, user) -> Membership:
    """The redemption's side (the invite is locked and its use taken): the membership the link gives."""
    org = invite.organisation
    if invite.role == InviteRole.ADMIN:
        if not invite.created_by.has_perm("orgs.manage_admins", org):
            raise PermissionDenied(
                _("Пригласивший больше не администратор: ссылка не действует. Попросите новую."),
                code="inviter_not_admin",
            )
        return admin_appoint_by_link(
            organisation=org, user=user, order=invite.admin_order, appointed_by=invite.created_by
        )
    membership = membership_add(organisation=org, user=user, role=Membership.Role.TEACHER, actor=None)
    if membership.is_verified_teacher:
        curator_links_complete(organisation=org, membership=membership, actor=invite.created_by)
    return membership


def curator_links_complete(*, organisation: Organisation, membership: Membership, actor) -> int:
    """Make a verified teacher the curator of the classes their curator links named (each link once); returns
    how many. The actor is whoever verified them (or the link's author): an administrator of the organisation."""
    if not membership.is_verified_teacher or actor is None:
        return 0
    pending = Redemption.objects.filter(
        invite__organisation=organisation,
        invite__role=InviteRole.CURATOR,
        user=membership.user,
        completed_at__isnull=True,
    ).select_related("invite__target_group")
    done = 0
    for redemption in pending:
        group = redemption.invite.target_group
        if group is None or group.is_archived:
            continue
        try:
            with transaction.atomic():
                curator_assign(group=group, teacher=membership.user, actor=actor)
                Redemption.objects.filter(pk=redemption.pk).update(completed_at=timezone.now())
        except PermissionDenied:
            continue  # the actor is no longer an administrator: the next verification completes it
        done += 1
    return done
