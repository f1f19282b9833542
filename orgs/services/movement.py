"""«Движение»: the actions an administrator takes on a person, each with its own kind and reason, and the transfer
of a person to another organisation of the portal (the receiving administrator accepts; history stays in both)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.exceptions import Conflict, RuleViolation
from portal.mail import email_letter_after_commit, site_url

from ..models import Group, Membership, Organisation, Placement
from ..movement_models import Movement, OrgTransfer
from ..permissions import require
from .audit import audit_record
from .history import movement_record
from .membership import membership_add, membership_end, staff_set_position, student_place

Kind = Movement.Kind
Role = Membership.Role
# The kinds an administrator applies to an existing member (hiring is adding a new member of staff).
MEMBER_KINDS = [Kind.ENROL, Kind.TRANSFER, Kind.TRANSFER_OUT, Kind.EXPEL, Kind.GRADUATE, Kind.DISMISS, Kind.POSITION]


def movement_apply(
    *,
    organisation: Organisation,
    membership: Membership,
    kind: str,
    actor,
    reason: str = "",
    group: Group | None = None,
    position: str = "",
    target: Organisation | None = None,
):
    """Apply one movement of `kind` to a member; returns what the underlying service returns."""
    require(actor, "manage_movement", organisation)
    if membership.organisation_id != organisation.pk or not membership.is_active:
        raise RuleViolation(_("Участник не состоит в организации."), code="member_inactive")
    if kind in (Kind.ENROL, Kind.TRANSFER):
        if membership.role != Role.STUDENT:
            raise RuleViolation(_("Зачислять и переводить можно только обучающихся."), code="not_student")
        if group is None:
            raise RuleViolation(
                _("Укажите %(group)s.") % {"group": organisation.vocabulary.group_accusative},
                code="class_required",
                fields={"group": [_("Обязательное поле.")]},
            )
        placed = Placement.objects.filter(organisation=organisation, student=membership.user, valid_to__isnull=True)
        if kind == Kind.ENROL and placed.exists():
            raise Conflict(
                _("Обучающийся уже зачислен в %(group)s: выберите перевод.")
                % {"group": organisation.vocabulary.group_accusative},
                code="already_in_class",
            )
        if kind == Kind.TRANSFER and not placed.exists():
            raise RuleViolation(
                _("Обучающийся ещё не зачислен в %(group)s: выберите зачисление.")
                % {"group": organisation.vocabulary.group_accusative},
                code="not_in_class",
            )
        return student_place(
            organisation=organisation, student=membership.user, group=group, actor=actor, reason=reason
        )
    if kind == Kind.POSITION:
        return staff_set_position(membership=membership, actor=actor, position=position, reason=reason)
    if kind == Kind.TRANSFER_OUT:
        if target is None:
            raise RuleViolation(
                _("Укажите организацию."), code="target_required", fields={"target": [_("Обязательное поле.")]}
            )
        return org_transfer_request(membership=membership, target=target, actor=actor, reason=reason)
    if kind in (Kind.EXPEL, Kind.GRADUATE, Kind.DISMISS, Kind.LEFT):
        return membership_end(membership=membership, actor=actor, reason=reason, kind=kind)
    raise RuleViolation(_("Неизвестный вид движения."), code="movement_kind_invalid")


def _admin_emails(organisation: Organisation) -> list[str]:
    emails = Membership.objects.filter(organisation=organisation, role=Role.ADMIN, valid_to__isnull=True).values_list(
        "user__email", flat=True
    )
    return sorted({e for e in emails if e})


def org_transfer_request(*, membership: Membership, target: Organisation, actor, reason: str = "") -> OrgTransfer:
    """Ask another organisation of the portal to take a student or a member of staff; they stay here until it does."""
    source = membership.organisation
    require(actor, "manage_movement", source)
    if membership.role not in (Role.STUDENT, Role.TEACHER) or not membership.is_active:
        raise RuleViolation(
            _("Перевести в другую организацию можно действующего обучающегося или сотрудника."), code="not_transferable"
        )
    if target.pk == source.pk or not target.is_active:
        raise RuleViolation(
            _("Выберите другую действующую организацию."),
            code="target_invalid",
            fields={"target": [_("Неверный выбор.")]},
        )
    place = (
        Placement.objects.filter(organisation=source, student=membership.user, valid_to__isnull=True)
        .select_related("group")
        .first()
    )
    with transaction.atomic():
        if OrgTransfer.objects.filter(
            source=source, user=membership.user, role=membership.role, status=OrgTransfer.Status.PENDING
        ).exists():
            raise Conflict(_("Перевод этого участника уже ожидает решения."), code="transfer_pending")
        transfer = OrgTransfer.objects.create(
            source=source,
            target=target,
            user=membership.user,
            role=membership.role,
            from_group_name=place.group.name if place else "",
            reason=(reason or "").strip()[:255],
            requested_by=actor,
        )
        audit_record(
            organisation=source,
            actor=actor,
            action="movement.transfer_requested",
            obj=transfer,
            details={"where": target.short_name, "reason": transfer.reason},
        )
    letter = {
        "source": source.short_name,
        "person": membership.user.full_name,
        "role": membership.get_role_display(),
        "link": site_url("orgs:transfers", target.pk),
    }
    email_letter_after_commit("transfer_requested", letter, recipients=_admin_emails(target))
    return transfer


def _lock_pending(transfer: OrgTransfer) -> OrgTransfer:
    transfer = OrgTransfer.objects.select_for_update().select_related("source", "target", "user").get(pk=transfer.pk)
    if transfer.status != OrgTransfer.Status.PENDING:
        raise Conflict(_("По этому переводу уже принято решение."), code="transfer_decided")
    return transfer


def org_transfer_accept(*, transfer: OrgTransfer, actor, group: Group | None = None) -> OrgTransfer:
    """The receiving administrator accepts: the person joins here (a student into `group`) and leaves the source."""
    target = transfer.target
    require(actor, "manage_movement", target)
    if transfer.role == Role.STUDENT and (
        group is None or group.organisation_id != target.pk or group.kind != Group.Kind.CLASS or group.is_archived
    ):
        raise RuleViolation(
            _("Выберите класс, в который зачислить обучающегося.")
            if target.vocabulary.is_class
            else _("Выберите %(group)s, в которую зачислить обучающегося.")
            % {"group": target.vocabulary.group_accusative},
            code="class_required",
            fields={"group": [_("Обязательное поле.")]},
        )
    with transaction.atomic():
        transfer = _lock_pending(transfer)
        user = transfer.user
        source_membership = Membership.objects.filter(
            organisation=transfer.source, user=user, role=transfer.role, valid_to__isnull=True
        ).first()
        if source_membership is None:
            raise Conflict(_("Этот человек уже не состоит в прежней организации."), code="transfer_gone")
        membership_add(organisation=target, user=user, role=transfer.role, actor=None)
        if transfer.role == Role.STUDENT:
            student_place(organisation=target, student=user, group=group, actor=None)
        movement_record(
            organisation=target,
            user=user,
            kind=Kind.TRANSFER_IN,
            role=transfer.role,
            actor=actor,
            reason=transfer.reason,
            from_name=f"{transfer.source.short_name} {transfer.from_group_name}".strip(),
            to_group=group,
        )
        membership_end(
            membership=source_membership,
            actor=actor,
            reason=transfer.reason or f"перевод в {target.short_name}",
            kind=Kind.TRANSFER_OUT,
            system=True,
        )
        transfer.status = OrgTransfer.Status.ACCEPTED
        transfer.to_group = group
        transfer.decided_by, transfer.decided_at = actor, timezone.now()
        transfer.save(update_fields=["status", "to_group", "decided_by", "decided_at"])
        audit_record(
            organisation=target,
            actor=actor,
            action="movement.transfer_accepted",
            obj=transfer,
            details={"where": transfer.source.short_name, "group": group.name if group else None},
        )
    return transfer


def org_transfer_reject(*, transfer: OrgTransfer, actor, note: str = "") -> OrgTransfer:
    """The receiving administrator refuses; the person stays where they are."""
    require(actor, "manage_movement", transfer.target)
    with transaction.atomic():
        transfer = _lock_pending(transfer)
        transfer.status = OrgTransfer.Status.REJECTED
        transfer.decided_by, transfer.decided_at = actor, timezone.now()
        transfer.decision_note = (note or "").strip()[:255]
        transfer.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        audit_record(
            organisation=transfer.target,
            actor=actor,
            action="movement.transfer_rejected",
            obj=transfer,
            details={"where": transfer.source.short_name, "reason": transfer.decision_note},
        )
    letter = {"person": transfer.user.full_name, "target": transfer.target.short_name, "note": transfer.decision_note}
    email_letter_after_commit("transfer_rejected", letter, recipients=_admin_emails(transfer.source))
    return transfer
