"""People in an organisation: memberships, verification, administrators, movement, assignments."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.exceptions import Conflict, RuleViolation
from portal.mail import email_letter_after_commit, site_url
from portal.quotes import inner_quotes
from portal.sql import insert_instance

from ..models import CuratorAssignment, Group, Membership, Organisation, ParentLink, Placement, TeachingAssignment
from ..movement_models import Movement
from ..permissions import permissions_grant_user, permissions_sync_user, require
from ..signals import member_left_after_commit, structure_changed_after_commit, teacher_verified_after_commit
from .appointment import admin_order_clean, admin_order_create
from .audit import audit_record
from .history import movement_record

Role = Membership.Role
Verification = Membership.Verification


def membership_add(
    *, organisation: Organisation, user, role: str, actor, position: str = "", verified: bool = False
) -> Membership:
    """Add a person in a role; returns the existing membership if they already hold it.

    Teachers start unverified unless an administrator adds them verified. actor=None is the system
    (registration approval, invite redemption), which checks its own rights.
    """
    if actor is not None:
        require(actor, "invite_staff" if role in (Role.TEACHER, Role.ADMIN) else "manage_movement", organisation)
    verification = Verification.NOT_REQUIRED
    if role == Role.TEACHER:
        verification = Verification.VERIFIED if verified else Verification.PENDING
        position = position or Membership.Position.TEACHER
    membership = Membership(
        organisation=organisation,
        user=user,
        role=role,
        position=position if role == Role.TEACHER else "",
        verification=verification,
        verified_by=actor if verified else None,
        verified_at=timezone.now() if verified else None,
    )
    # One active row per person and role (the partial unique index): when they hold the role already, or another
    # request adds them at the same moment (this insert waits for its commit), nothing is written and the row there
    # is the result. An insert that leaves that row alone needs no savepoint to catch the conflict's error.
    if not insert_instance(membership, ignoring=True):
        return Membership.objects.get(organisation=organisation, user=user, role=role, valid_to__isnull=True)
    permissions_grant_user(organisation=organisation, user=user, role=role)
    audit_record(
        organisation=organisation, actor=actor, action="membership.added", obj=membership, details={"role": role}
    )
    if role == Role.TEACHER:
        movement_record(organisation=organisation, user=user, kind=Movement.Kind.HIRE, role=role, actor=actor)
    structure_changed_after_commit(organisation=organisation, users=[user], additive=True)
    return membership


def _lock(membership: Membership) -> Membership:
    return Membership.objects.select_for_update().select_related("organisation", "user").get(pk=membership.pk)


def _verification_decide(membership: Membership, actor, verification: str, note: str, *, not_teacher) -> Membership:
    """Lock the membership, check that it is a current teacher's (else `not_teacher`), write the decision; inside
    the caller's transaction."""
    membership = _lock(membership)
    if membership.role != Role.TEACHER or not membership.is_active:
        raise RuleViolation(not_teacher, code="not_a_teacher")
    membership.verification, membership.verification_note = verification, note
    membership.verified_by, membership.verified_at = actor, timezone.now()
    membership.save()
    return membership


def teacher_verify(*, membership: Membership, actor) -> Membership:
    """«Подтверждение статуса учитель»: the teacher gets the badge and the rights of a verified teacher."""
    require(actor, "verify_teachers", membership.organisation)
    with transaction.atomic():
        not_teacher = _("Подтверждать можно только действующих педагогов.")
        membership = _verification_decide(membership, actor, Verification.VERIFIED, "", not_teacher=not_teacher)
        _staff_changed(membership, actor, "teacher.verified")
        teacher_verified_after_commit(membership=membership)
        _tell_verified(membership)
    return membership


def _rights_changed(organisation, *, actor, action: str, obj, rights_of=(), details=None, users=(), groups=()) -> None:
    """After a write that gives or takes rights: re-derive the rights of `rights_of`, record the action, and tell the
    chats and other apps that follow the structure which `users` and `groups` it touched."""
    for person in rights_of:
        permissions_sync_user(organisation=organisation, user=person)
    audit_record(organisation=organisation, actor=actor, action=action, obj=obj, details=details)
    structure_changed_after_commit(organisation=organisation, users=users, groups=groups)


def _staff_changed(membership: Membership, actor, action: str, details: dict | None = None) -> None:
    """After a member of staff's verification or position changed."""
    user = membership.user
    _rights_changed(
        membership.organisation,
        actor=actor,
        action=action,
        obj=membership,
        rights_of=[user],
        details=details,
        users=[user],
    )


def _tell_verified(membership: Membership) -> None:
    """The teacher learns by e-mail that the wait is over and what they may do now (their home page says it too)."""
    organisation, user = membership.organisation, membership.user
    letter = {
        "user": user,
        "words": organisation.vocabulary,
        "short_name": organisation.short_name,
        "organisation_name": inner_quotes(organisation.short_name),
        "link": site_url("orgs:org_home", organisation.pk),
    }
    email_letter_after_commit("teacher_verified", letter, recipients=[user.email])


def teacher_reject(*, membership: Membership, actor, reason: str) -> Membership:
    """Refuse a teacher's status with a reason; they keep their account but no teacher rights."""
    require(actor, "verify_teachers", membership.organisation)
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(
            _("Укажите причину отказа."), code="reason_required", fields={"reason": [_("Обязательное поле.")]}
        )
    with transaction.atomic():
        not_teacher = _("Отклонять можно только действующих педагогов.")
        membership = _verification_decide(membership, actor, Verification.REJECTED, reason, not_teacher=not_teacher)
        _staff_changed(membership, actor, "teacher.rejected", {"reason": reason})
    return membership


def staff_set_position(*, membership: Membership, actor, position: str, reason: str = "") -> Membership:
    """Change a member of staff's position; the change goes to their history."""
    require(actor, "manage_org", membership.organisation)
    if membership.role != Role.TEACHER or not membership.is_active:
        raise RuleViolation(_("Должность указывается только у действующих сотрудников."), code="not_staff")
    if position not in Membership.Position.values or not position:
        raise RuleViolation(_("Неизвестная должность."), code="position_invalid")
    before = membership.get_position_display()
    membership.position = position
    membership.save(update_fields=["position"])
    movement_record(
        organisation=membership.organisation,
        user=membership.user,
        kind=Movement.Kind.POSITION,
        role=membership.role,
        actor=actor,
        reason=reason,
        from_name=str(before),
        to_name=str(membership.get_position_display()),
    )
    _staff_changed(membership, actor, "staff.position_changed", {"position": position})
    return membership


def admin_appoint(
    *, organisation: Organisation, user, actor, order_number: str = "", order_date=None, order_file=None
) -> Membership:
    """Make one of the organisation's teachers an administrator; the appointing order is recorded when given
    (number and date, the file optional)."""
    require(actor, "manage_admins", organisation)
    if not Membership.objects.filter(
        organisation=organisation, user=user, role=Role.TEACHER, valid_to__isnull=True
    ).exists():
        raise RuleViolation(
            _("Администратором можно назначить только педагога этой организации."), code="not_a_teacher"
        )
    if Membership.objects.filter(organisation=organisation, user=user, role=Role.ADMIN, valid_to__isnull=True).exists():
        raise Conflict(_("Этот человек уже администратор."), code="already_admin")
    given = bool(order_number or order_date or order_file)
    if given:
        admin_order_clean(number=order_number, date=order_date, order_file=order_file)
    with transaction.atomic():
        membership = membership_add(organisation=organisation, user=user, role=Role.ADMIN, actor=None)
        order = None
        if given:
            order = admin_order_create(
                organisation=organisation,
                actor=actor,
                number=order_number,
                date=order_date,
                order_file=order_file,
                membership=membership,
            )
        audit_record(
            organisation=organisation,
            actor=actor,
            action="admin.appointed",
            obj=membership,
            details=_order_details(order),
        )
    return membership


def _order_details(order) -> dict:
    return {"order": order.number, "date": f"{order.date:%d.%m.%Y}"} if order is not None else {}


def admin_appoint_by_link(*, organisation: Organisation, user, order, appointed_by) -> Membership:
    """The system's side of an administrator's link (its rights were checked when the link was made): the person
    becomes staff (verified: the order appoints them) and an administrator; the link's order is attached."""
    existing = Membership.objects.filter(
        organisation=organisation, user=user, role=Role.ADMIN, valid_to__isnull=True
    ).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        staff = Membership.objects.filter(
            organisation=organisation, user=user, role=Role.TEACHER, valid_to__isnull=True
        ).first()
        if staff is None:
            membership_add(organisation=organisation, user=user, role=Role.TEACHER, actor=None, verified=True)
        membership = membership_add(organisation=organisation, user=user, role=Role.ADMIN, actor=None)
        if order is not None:
            order.membership = membership
            order.save(update_fields=["membership"])
        audit_record(
            organisation=organisation,
            actor=appointed_by,
            action="admin.appointed",
            obj=membership,
            details={**_order_details(order), "by_link": True},
        )
    return membership


def _end_membership(membership: Membership, reason: str) -> None:
    membership.valid_to = timezone.now()
    membership.end_reason = reason
    membership.save(update_fields=["valid_to", "end_reason"])


def _ensure_not_last_admin(organisation: Organisation, membership: Membership) -> None:
    # Lock every active admin row so that two removals cannot both see "another admin is left".
    # Callers lock these rows before the membership itself, always in primary-key order: two removals then
    # queue one behind the other instead of each holding one row and deadlocking on the other's.
    admins = list(
        Membership.objects.select_for_update()
        .filter(organisation=organisation, role=Role.ADMIN, valid_to__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if admins == [membership.pk] or (membership.pk in admins and len(admins) == 1):
        raise RuleViolation(
            _("Нельзя снять последнего администратора организации: сначала назначьте другого."), code="last_admin"
        )


def admin_remove(*, membership: Membership, actor) -> Membership:
    """Take administrator rights away, never from the last administrator."""
    organisation = membership.organisation
    require(actor, "manage_admins", organisation)
    with transaction.atomic():
        _ensure_not_last_admin(organisation, membership)
        membership = _lock(membership)
        if membership.role != Role.ADMIN or not membership.is_active:
            raise RuleViolation(_("Этот человек не администратор."), code="not_admin")
        _end_membership(membership, "снят с роли администратора")
        user = membership.user
        _rights_changed(
            organisation, actor=actor, action="admin.removed", obj=membership, rights_of=[user], users=[user]
        )
    return membership


# The ways of leaving an organisation, and who may leave by each (None: any role but administrator).
LEAVING_ROLES = {
    Movement.Kind.EXPEL: {Role.STUDENT},
    Movement.Kind.GRADUATE: {Role.STUDENT},
    Movement.Kind.DISMISS: {Role.TEACHER},
    Movement.Kind.TRANSFER_OUT: {Role.STUDENT, Role.TEACHER},
    Movement.Kind.LEFT: None,
}
LEAVING_ACTIONS = {
    Movement.Kind.EXPEL: "movement.expelled",
    Movement.Kind.GRADUATE: "movement.graduated",
    Movement.Kind.DISMISS: "movement.dismissed",
    Movement.Kind.TRANSFER_OUT: "movement.transferred_out",
    Movement.Kind.LEFT: "membership.ended",
}
# Stored in the membership's «основание окончания» when the administrator gives none.
DEFAULT_END_REASONS = {
    Movement.Kind.EXPEL: "отчисление",
    Movement.Kind.GRADUATE: "выпуск",
    Movement.Kind.DISMISS: "увольнение",
    Movement.Kind.TRANSFER_OUT: "перевод в другую организацию",
    Movement.Kind.LEFT: "",
}


def membership_end(
    *, membership: Membership, actor, reason: str = "", kind: str = Movement.Kind.LEFT, system: bool = False
) -> Membership:
    """End a membership (dismissal, expulsion, graduation, leaving): it stays in history, its rights go.

    The person's assignments (a student's placement and parent links) end with it. Once
    committed, `member_left` tells the higher apps to stop what the person may no longer use. `system` is the
    portal itself acting (an accepted transfer, the promotion job), which checked its own rights.
    """
    organisation = membership.organisation
    if not system:
        require(actor, "manage_movement", organisation)
    allowed = LEAVING_ROLES.get(kind, ())
    if allowed is not None and membership.role not in allowed:
        raise RuleViolation(
            _("«%(kind)s» не применяется к роли «%(role)s».")
            % {"kind": Movement.Kind(kind).label, "role": membership.get_role_display()},
            code="movement_role_invalid",
        )
    with transaction.atomic():
        if membership.role == Role.ADMIN:
            _ensure_not_last_admin(organisation, membership)
        membership = _lock(membership)
        if not membership.is_active:
            return membership
        now = timezone.now()
        user = membership.user
        reason = (reason or "").strip()[:255]
        place = None
        if membership.role == Role.STUDENT:
            place = Placement.objects.filter(organisation=organisation, student=user, valid_to__isnull=True).first()
            Placement.objects.filter(organisation=organisation, student=user, valid_to__isnull=True).update(
                valid_to=now
            )
            ParentLink.objects.filter(organisation=organisation, child=user, valid_to__isnull=True).update(valid_to=now)
        elif membership.role == Role.TEACHER:
            CuratorAssignment.objects.filter(organisation=organisation, teacher=user, valid_to__isnull=True).update(
                valid_to=now
            )
            TeachingAssignment.objects.filter(organisation=organisation, teacher=user, valid_to__isnull=True).update(
                valid_to=now
            )
        elif membership.role == Role.PARENT:
            ParentLink.objects.filter(organisation=organisation, parent=user, valid_to__isnull=True).update(
                valid_to=now
            )
        _end_membership(membership, reason or DEFAULT_END_REASONS.get(kind, ""))
        permissions_sync_user(organisation=organisation, user=user)
        audit_record(
            organisation=organisation,
            actor=actor,
            action=LEAVING_ACTIONS.get(kind, "membership.ended"),
            obj=membership,
            details={"reason": reason}
            if kind == Movement.Kind.LEFT
            else {"reason": reason, "role": membership.role} | ({"group": place.group.name} if place else {}),
        )
        movement_record(
            organisation=organisation,
            user=user,
            kind=kind,
            role=membership.role,
            actor=actor,
            reason=reason,
            from_group=place.group if place else None,
        )
        structure_changed_after_commit(
            organisation=organisation, users=[user], groups=[place.group_id if place else None]
        )
        member_left_after_commit(organisation=organisation, user=user, role=membership.role, kind=kind, actor=actor)
    return membership


def _require_active(organisation, user, role, message):
    if not Membership.objects.filter(organisation=organisation, user=user, role=role, valid_to__isnull=True).exists():
        raise RuleViolation(message, code=f"not_{role}")


def _require_class(organisation, group):
    if group.organisation_id != organisation.pk or group.kind != Group.Kind.CLASS or group.is_archived:
        raise RuleViolation(_("Выберите действующий класс этой организации."), code="class_invalid")


def student_place(
    *,
    organisation: Organisation,
    student,
    group: Group,
    actor,
    reason: str = "",
    membership: Membership | None = None,
    unplaced: bool = False,
) -> Placement:
    """Enrol a student in a class, or transfer them: the old placement ends, the history stays. `membership`: the
    student's active membership as the caller has just read or made it (not checked again). `unplaced`: the caller
    has read in its transaction that the student has no class here (a redemption): there is no placement to lock or
    end, and the rows are written in the caller's transaction without a savepoint of their own."""
    if actor is not None:
        require(actor, "manage_movement", organisation)
    _require_class(organisation, group)
    held = membership is not None and membership.is_active and membership.role == Role.STUDENT
    held = held and membership.organisation_id == organisation.pk and membership.user_id == student.pk
    if not held:
        message = _("Зачислить в класс можно только обучающегося организации.")
        _require_active(organisation, student, Role.STUDENT, message)
    with transaction.atomic(savepoint=not unplaced):
        current = None
        if not unplaced:
            current = (
                Placement.objects.select_for_update()
                .filter(organisation=organisation, student=student, valid_to__isnull=True)
                .first()
            )
        if current and current.group_id == group.pk:
            return current
        if current:
            current.valid_to = timezone.now()
            current.save(update_fields=["valid_to"])
        placement = Placement(organisation=organisation, student=student, group=group)
        # One active placement per student (the partial unique index): a class another request gave them at the
        # same moment leaves this insert without a row (it waits for that commit), and no savepoint is needed.
        if not insert_instance(placement, ignoring=True):
            raise Conflict(_("Обучающийся уже состоит в другом классе этой организации."), code="already_in_class")
        audit_record(
            organisation=organisation,
            actor=actor,
            action="student.transferred" if current else "student.enrolled",
            obj=placement,
            details={"group": group.name, "from": current.group.name if current else None}
            | ({"reason": reason} if reason else {}),
        )
        movement_record(
            organisation=organisation,
            user=student,
            kind=Movement.Kind.TRANSFER if current else Movement.Kind.ENROL,
            role=Role.STUDENT,
            actor=actor,
            reason=reason,
            from_group=current.group if current else None,
            to_group=group,
        )
        structure_changed_after_commit(
            organisation=organisation,
            users=[student],
            groups=[group, current.group_id if current else None],
            additive=current is None,
        )
    return placement


def curator_assign(*, group: Group, teacher, actor) -> CuratorAssignment:
    """«Распределение кураторства»: the class gets this curator; the previous one loses its rights."""
    organisation = group.organisation
    require(actor, "manage_org", organisation)
    _require_class(organisation, group)
    _require_active(organisation, teacher, Role.TEACHER, _("Куратором может быть только педагог этой организации."))
    with transaction.atomic():
        current = CuratorAssignment.objects.select_for_update().filter(group=group, valid_to__isnull=True).first()
        if current and current.teacher_id == teacher.pk:
            return current
        if current:
            current.valid_to = timezone.now()
            current.save(update_fields=["valid_to"])
        assignment = CuratorAssignment.objects.create(organisation=organisation, group=group, teacher=teacher)
        _rights_changed(
            organisation,
            actor=actor,
            action="curator.assigned",
            obj=assignment,
            rights_of=[current.teacher, teacher] if current else [teacher],
            details={"group": group.name, "teacher": teacher.full_name},
            users=[teacher, current.teacher_id if current else None],
            groups=[group],
        )
    return assignment


def _end_assignment(obj, *, actor, perm: str, action: str, rights_of=None):
    """Close an open assignment row (kept as history); re-derive the rights of whoever it gave them to."""
    organisation = obj.organisation
    require(actor, perm, organisation)
    if obj.valid_to is None:
        obj.valid_to = timezone.now()
        obj.save(update_fields=["valid_to"])
        # Curatorships and teaching assignments name a teacher and a class; parent links a parent.
        _rights_changed(
            organisation,
            actor=actor,
            action=action,
            obj=obj,
            rights_of=[rights_of] if rights_of is not None else [],
            users=[getattr(obj, "teacher_id", None) or getattr(obj, "parent_id", None)],
            groups=[getattr(obj, "group_id", None)],
        )
    return obj


def curator_unassign(*, assignment: CuratorAssignment, actor) -> CuratorAssignment:
    return _end_assignment(
        assignment, actor=actor, perm="manage_org", action="curator.unassigned", rights_of=assignment.teacher
    )


def teaching_assign(*, group: Group, teacher, subject: str, actor) -> TeachingAssignment:
    """A teacher teaches a subject in a class."""
    organisation = group.organisation
    require(actor, "manage_org", organisation)
    _require_class(organisation, group)
    _require_active(organisation, teacher, Role.TEACHER, _("Нагрузку можно назначить только педагогу организации."))
    subject = (subject or "").strip()
    if not subject:
        raise RuleViolation(
            _("Укажите предмет."), code="subject_required", fields={"subject": [_("Обязательное поле.")]}
        )
    try:
        with transaction.atomic():
            assignment = TeachingAssignment.objects.create(
                organisation=organisation, group=group, teacher=teacher, subject=subject
            )
    except IntegrityError:
        raise Conflict(_("Такая нагрузка уже назначена."), code="teaching_exists") from None
    _rights_changed(
        organisation,
        actor=actor,
        action="teaching.assigned",
        obj=assignment,
        rights_of=[teacher],
        details={"group": group.name, "subject": subject},
        users=[teacher],
        groups=[group],
    )
    return assignment


def teaching_end(*, assignment: TeachingAssignment, actor) -> TeachingAssignment:
    return _end_assignment(
        assignment, actor=actor, perm="manage_org", action="teaching.ended", rights_of=assignment.teacher
    )


def parent_link_create(*, organisation: Organisation, parent, child, actor) -> ParentLink:
    """Link a parent to their child; a student's own account cannot be its own parent."""
    if actor is not None:
        require(actor, "manage_movement", organisation)
    if parent.pk == child.pk:
        raise RuleViolation(
            _(
                "Учётная запись обучающегося не может быть родителем самого себя. "
                "Родитель входит со своего телефона или e-mail."
            ),
            code="parent_is_child",
        )
    _require_active(organisation, child, Role.STUDENT, _("Ребёнок должен быть обучающимся этой организации."))
    membership_add(organisation=organisation, user=parent, role=Role.PARENT, actor=None)
    link, created = ParentLink.objects.get_or_create(
        organisation=organisation, parent=parent, child=child, valid_to__isnull=True
    )
    if created:
        audit_record(
            organisation=organisation,
            actor=actor,
            action="parent_link.created",
            obj=link,
            details={"parent": parent.full_name, "child": child.full_name},
        )
        structure_changed_after_commit(organisation=organisation, users=[parent], additive=True)
    return link


def parent_link_end(*, link: ParentLink, actor) -> ParentLink:
    return _end_assignment(link, actor=actor, perm="manage_movement", action="parent_link.ended")
