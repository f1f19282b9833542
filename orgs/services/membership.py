"""People in an organisation: memberships, verification, administrators, movement, assignments."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from portal.exceptions import Conflict, RuleViolation
from portal.mail import email_after_commit
from portal.quotes import inner_quotes

from ..models import CuratorAssignment, Group, Membership, Organisation, ParentLink, Placement, TeachingAssignment
from ..permissions import permissions_sync_user, require
from ..signals import structure_changed_after_commit
from .audit import audit_record

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
    existing = Membership.objects.filter(organisation=organisation, user=user, role=role, valid_to__isnull=True).first()
    if existing:
        return existing
    verification = Verification.NOT_REQUIRED
    if role == Role.TEACHER:
        verification = Verification.VERIFIED if verified else Verification.PENDING
        position = position or Membership.Position.TEACHER
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                organisation=organisation,
                user=user,
                role=role,
                position=position if role == Role.TEACHER else "",
                verification=verification,
                verified_by=actor if verified else None,
                verified_at=timezone.now() if verified else None,
            )
    except IntegrityError:
        # Two requests added the same person at once: the other one won, which is the same result.
        return Membership.objects.get(organisation=organisation, user=user, role=role, valid_to__isnull=True)
    permissions_sync_user(organisation=organisation, user=user)
    audit_record(
        organisation=organisation, actor=actor, action="membership.added", obj=membership, details={"role": role}
    )
    structure_changed_after_commit(organisation=organisation, users=[user])
    return membership


def _lock(membership: Membership) -> Membership:
    return Membership.objects.select_for_update().select_related("organisation", "user").get(pk=membership.pk)


def teacher_verify(*, membership: Membership, actor) -> Membership:
    """«Подтверждение статуса учитель»: the teacher gets the badge and the rights of a verified teacher."""
    require(actor, "verify_teachers", membership.organisation)
    with transaction.atomic():
        membership = _lock(membership)
        if membership.role != Role.TEACHER or not membership.is_active:
            raise RuleViolation("Подтверждать можно только действующих педагогов.", code="not_a_teacher")
        membership.verification = Verification.VERIFIED
        membership.verified_by = actor
        membership.verified_at = timezone.now()
        membership.verification_note = ""
        membership.save()
        permissions_sync_user(organisation=membership.organisation, user=membership.user)
        audit_record(organisation=membership.organisation, actor=actor, action="teacher.verified", obj=membership)
        structure_changed_after_commit(organisation=membership.organisation, users=[membership.user])
        _tell_verified(membership)
    return membership


def _tell_verified(membership: Membership) -> None:
    """The teacher learns by e-mail that the wait is over and what they may do now (their home page says it too)."""
    organisation, user = membership.organisation, membership.user
    with translation.override("ru"):  # letters are in Russian, whatever language the administrator reads
        words = organisation.vocabulary
        teacher, groups, students = str(words.teacher), str(words.groups_genitive), str(words.students_dative)
    home = settings.PORTAL_BASE_URL + reverse("orgs:org_home", args=[organisation.pk])
    email_after_commit(
        subject=f"Статус подтверждён: {organisation.short_name}",
        body=(
            f"Здравствуйте, {user.first_name or user.full_name}!\n\n"
            f"Ваш статус подтверждён администратором: вы — {teacher} в «{inner_quotes(organisation.short_name)}».\n"
            f"Теперь вы можете создавать чаты {groups}, где ведёте занятия, и приглашать в них {students} "
            f"и родителей по ссылкам-приглашениям.\n\n"
            f"Ваша страница в портале: {home}"
        ),
        recipients=[user.email],
    )


def teacher_reject(*, membership: Membership, actor, reason: str) -> Membership:
    """Refuse a teacher's status with a reason; they keep their account but no teacher rights."""
    require(actor, "verify_teachers", membership.organisation)
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(
            "Укажите причину отказа.", code="reason_required", fields={"reason": ["Обязательное поле."]}
        )
    with transaction.atomic():
        membership = _lock(membership)
        if membership.role != Role.TEACHER or not membership.is_active:
            raise RuleViolation("Отклонять можно только действующих педагогов.", code="not_a_teacher")
        membership.verification = Verification.REJECTED
        membership.verified_by = actor
        membership.verified_at = timezone.now()
        membership.verification_note = reason
        membership.save()
        permissions_sync_user(organisation=membership.organisation, user=membership.user)
        audit_record(
            organisation=membership.organisation,
            actor=actor,
            action="teacher.rejected",
            obj=membership,
            details={"reason": reason},
        )
        structure_changed_after_commit(organisation=membership.organisation, users=[membership.user])
    return membership


def staff_set_position(*, membership: Membership, actor, position: str) -> Membership:
    require(actor, "manage_org", membership.organisation)
    if membership.role != Role.TEACHER or not membership.is_active:
        raise RuleViolation("Должность указывается только у действующих сотрудников.", code="not_staff")
    if position not in Membership.Position.values or not position:
        raise RuleViolation("Неизвестная должность.", code="position_invalid")
    membership.position = position
    membership.save(update_fields=["position"])
    permissions_sync_user(organisation=membership.organisation, user=membership.user)
    audit_record(
        organisation=membership.organisation,
        actor=actor,
        action="staff.position_changed",
        obj=membership,
        details={"position": position},
    )
    structure_changed_after_commit(organisation=membership.organisation, users=[membership.user])
    return membership


def admin_appoint(*, organisation: Organisation, user, actor) -> Membership:
    """Make one of the organisation's teachers an administrator."""
    require(actor, "manage_admins", organisation)
    if not Membership.objects.filter(
        organisation=organisation, user=user, role=Role.TEACHER, valid_to__isnull=True
    ).exists():
        raise RuleViolation("Администратором можно назначить только педагога этой организации.", code="not_a_teacher")
    if Membership.objects.filter(organisation=organisation, user=user, role=Role.ADMIN, valid_to__isnull=True).exists():
        raise Conflict("Этот человек уже администратор.", code="already_admin")
    membership = membership_add(organisation=organisation, user=user, role=Role.ADMIN, actor=None)
    audit_record(organisation=organisation, actor=actor, action="admin.appointed", obj=membership)
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
            "Нельзя снять последнего администратора организации: сначала назначьте другого.", code="last_admin"
        )


def admin_remove(*, membership: Membership, actor) -> Membership:
    """Take administrator rights away, never from the last administrator."""
    organisation = membership.organisation
    require(actor, "manage_admins", organisation)
    with transaction.atomic():
        _ensure_not_last_admin(organisation, membership)
        membership = _lock(membership)
        if membership.role != Role.ADMIN or not membership.is_active:
            raise RuleViolation("Этот человек не администратор.", code="not_admin")
        _end_membership(membership, "снят с роли администратора")
        permissions_sync_user(organisation=organisation, user=membership.user)
        audit_record(organisation=organisation, actor=actor, action="admin.removed", obj=membership)
        structure_changed_after_commit(organisation=organisation, users=[membership.user])
    return membership


def membership_end(*, membership: Membership, actor, reason: str = "") -> Membership:
    """End a membership (dismissal, expulsion, leaving): it stays in history, its rights go."""
    organisation = membership.organisation
    require(actor, "manage_movement", organisation)
    with transaction.atomic():
        if membership.role == Role.ADMIN:
            _ensure_not_last_admin(organisation, membership)
        membership = _lock(membership)
        if not membership.is_active:
            return membership
        now = timezone.now()
        user = membership.user
        if membership.role == Role.STUDENT:
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
        _end_membership(membership, (reason or "").strip()[:255])
        permissions_sync_user(organisation=organisation, user=user)
        audit_record(
            organisation=organisation,
            actor=actor,
            action="membership.ended",
            obj=membership,
            details={"reason": reason},
        )
        structure_changed_after_commit(organisation=organisation, users=[user])
    return membership


def _require_active(organisation, user, role, message):
    if not Membership.objects.filter(organisation=organisation, user=user, role=role, valid_to__isnull=True).exists():
        raise RuleViolation(message, code=f"not_{role}")


def _require_class(organisation, group):
    if group.organisation_id != organisation.pk or group.kind != Group.Kind.CLASS or group.is_archived:
        raise RuleViolation("Выберите действующий класс этой организации.", code="class_invalid")


def student_place(*, organisation: Organisation, student, group: Group, actor) -> Placement:
    """Enrol a student in a class, or transfer them: the old placement ends, the history stays."""
    if actor is not None:
        require(actor, "manage_movement", organisation)
    _require_class(organisation, group)
    _require_active(organisation, student, Role.STUDENT, "Зачислить в класс можно только обучающегося организации.")
    with transaction.atomic():
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
        try:
            with transaction.atomic():
                placement = Placement.objects.create(organisation=organisation, student=student, group=group)
        except IntegrityError:
            raise Conflict(
                "Обучающийся уже состоит в другом классе этой организации.", code="already_in_class"
            ) from None
        audit_record(
            organisation=organisation,
            actor=actor,
            action="student.transferred" if current else "student.enrolled",
            obj=placement,
            details={"group": group.name, "from": current.group.name if current else None},
        )
        structure_changed_after_commit(
            organisation=organisation, users=[student], groups=[group, current.group_id if current else None]
        )
    return placement


def curator_assign(*, group: Group, teacher, actor) -> CuratorAssignment:
    """«Распределение кураторства»: the class gets this curator; the previous one loses its rights."""
    organisation = group.organisation
    require(actor, "manage_org", organisation)
    _require_class(organisation, group)
    _require_active(organisation, teacher, Role.TEACHER, "Куратором может быть только педагог этой организации.")
    with transaction.atomic():
        current = CuratorAssignment.objects.select_for_update().filter(group=group, valid_to__isnull=True).first()
        if current and current.teacher_id == teacher.pk:
            return current
        if current:
            current.valid_to = timezone.now()
            current.save(update_fields=["valid_to"])
        assignment = CuratorAssignment.objects.create(organisation=organisation, group=group, teacher=teacher)
        if current:
            permissions_sync_user(organisation=organisation, user=current.teacher)
        permissions_sync_user(organisation=organisation, user=teacher)
        audit_record(
            organisation=organisation,
            actor=actor,
            action="curator.assigned",
            obj=assignment,
            details={"group": group.name, "teacher": teacher.full_name},
        )
        structure_changed_after_commit(
            organisation=organisation, users=[teacher, current.teacher_id if current else None], groups=[group]
        )
    return assignment


def _end_assignment(obj, *, actor, perm: str, action: str, rights_of=None):
    """Close an open assignment row (kept as history); re-derive the rights of whoever it gave them to."""
    organisation = obj.organisation
    require(actor, perm, organisation)
    if obj.valid_to is None:
        obj.valid_to = timezone.now()
        obj.save(update_fields=["valid_to"])
        if rights_of is not None:
            permissions_sync_user(organisation=organisation, user=rights_of)
        audit_record(organisation=organisation, actor=actor, action=action, obj=obj)
        # Curatorships and teaching assignments name a teacher and a class; parent links a parent.
        structure_changed_after_commit(
            organisation=organisation,
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
    _require_active(organisation, teacher, Role.TEACHER, "Нагрузку можно назначить только педагогу организации.")
    subject = (subject or "").strip()
    if not subject:
        raise RuleViolation("Укажите предмет.", code="subject_required", fields={"subject": ["Обязательное поле."]})
    try:
        with transaction.atomic():
            assignment = TeachingAssignment.objects.create(
                organisation=organisation, group=group, teacher=teacher, subject=subject
            )
    except IntegrityError:
        raise Conflict("Такая нагрузка уже назначена.", code="teaching_exists") from None
    permissions_sync_user(organisation=organisation, user=teacher)
    audit_record(
        organisation=organisation,
        actor=actor,
        action="teaching.assigned",
        obj=assignment,
        details={"group": group.name, "subject": subject},
    )
    structure_changed_after_commit(organisation=organisation, users=[teacher], groups=[group])
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
            "Учётная запись обучающегося не может быть родителем самого себя. "
            "Родитель входит со своего телефона или e-mail.",
            code="parent_is_child",
        )
    _require_active(organisation, child, Role.STUDENT, "Ребёнок должен быть обучающимся этой организации.")
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
        structure_changed_after_commit(organisation=organisation, users=[parent])
    return link


def parent_link_end(*, link: ParentLink, actor) -> ParentLink:
    return _end_assignment(link, actor=actor, perm="manage_movement", action="parent_link.ended")
