"""«Заявки на вступление»: a person asks, the administrator (or the class curator) decides."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import Group, Membership, Organisation, Placement
from orgs.permissions import is_member
from orgs.services.audit import audit_record
from orgs.services.membership import membership_add, parent_link_create, student_place
from portal.exceptions import Conflict, PermissionDenied, RuleViolation
from portal.mail import email_letter_after_commit, site_url
from portal.quotes import inner_quotes

from ..models import REQUESTABLE_ROLES, Invite, InviteRole, JoinRequest, Redemption

Status = JoinRequest.Status


def can_decide(actor, request: JoinRequest) -> bool:
    if actor.has_perm("orgs.verify_teachers", request.organisation):
        return True
    return (
        request.group is not None
        and request.role != InviteRole.TEACHER
        and actor.has_perm("orgs.approve_group_joins", request.group)
    )


def approvers_emails(request: JoinRequest) -> list[str]:
    org = request.organisation
    emails = set(
        Membership.objects.filter(organisation=org, role=Membership.Role.ADMIN, valid_to__isnull=True).values_list(
            "user__email", flat=True
        )
    )
    if request.group_id and request.role != InviteRole.TEACHER:
        # Only curators who may decide (verified ones) are told, as the queue shows it to them alone.
        curators = [
            c.teacher for c in request.group.curatorships.filter(valid_to__isnull=True).select_related("teacher")
        ]
        emails |= {t.email for t in curators if t.has_perm("orgs.approve_group_joins", request.group)}
    return sorted(emails - {None, ""})


def notify_approvers(request: JoinRequest) -> None:
    letter = {
        "person": request.user.full_name,
        "where": inner_quotes(request.group if request.group_id else request.organisation),
        "role": request.get_role_display(),
        "link": site_url("invites:join_requests", request.organisation_id),
    }
    email_letter_after_commit("join_request_new", letter, recipients=approvers_emails(request))


def _child_in_class(organisation: Organisation, group: Group, child_id: int):
    """The pupil of the class with this id, or None: which it is never shows in the applicant's answer."""
    placement = (
        Placement.objects.filter(organisation=organisation, group=group, student_id=child_id, valid_to__isnull=True)
        .select_related("student")
        .first()
    )
    return placement.student if placement else None


def join_request_create(
    *,
    organisation: Organisation,
    user,
    role: str,
    group: Group | None = None,
    child_id: int | None = None,
    message: str = "",
) -> JoinRequest:
    """A person asks to join an organisation (found by the public search) in a role.

    The applicant is not a member: no answer may depend on who studies where. A parent names a child by id; a
    pupil of the chosen class is linked to the request, any other id is dropped silently and the approver, who
    sees a parent's request without a child, asks or refuses.
    """
    if role not in REQUESTABLE_ROLES:
        raise RuleViolation(_("Неизвестная роль."), code="role_invalid")
    if group is not None and (group.organisation_id != organisation.pk or group.kind != Group.Kind.CLASS):
        raise RuleViolation(
            _("Выберите %(group_accusative)s этой организации.")
            % {"group_accusative": organisation.vocabulary.group_accusative},
            code="class_invalid",
        )
    if role in (InviteRole.STUDENT, InviteRole.PARENT) and group is None:
        choose = _("Выберите %(group_accusative)s.") % {"group_accusative": organisation.vocabulary.group_accusative}
        raise RuleViolation(choose, code="class_required", fields={"group": [choose]})
    child = None
    if role == InviteRole.PARENT:
        # The approver must know whose parent this is: the child is named when asking, not guessed later.
        if child_id is None:
            raise RuleViolation(
                _("Укажите ребёнка, который учится в выбранном классе.")
                if organisation.vocabulary.is_class
                else _("Укажите ребёнка, который учится в выбранной %(group_locative)s.")
                % {"group_locative": organisation.vocabulary.group_locative},
                code="child_required",
                fields={"child": [_("Укажите ребёнка.")]},
            )
        # Compared with the id as typed, before any look-up: the answer tells nothing of the class.
        if child_id == user.pk:
            raise RuleViolation(
                _("Учётная запись обучающегося не может быть родителем самого себя."), code="parent_is_child"
            )
        child = _child_in_class(organisation, group, child_id)
    if is_member(user, organisation, role) and role != InviteRole.PARENT:
        raise Conflict(_("Вы уже состоите в этой организации в этой роли."), code="already_member")
    try:
        with transaction.atomic():
            request = JoinRequest.objects.create(
                organisation=organisation,
                user=user,
                role=role,
                group=group,
                child=child,
                message=(message or "").strip()[:2000],
            )
    except IntegrityError:
        raise Conflict(_("Ваша заявка уже на рассмотрении."), code="request_pending") from None
    notify_approvers(request)
    return request


def _decide(request: JoinRequest, actor) -> JoinRequest:
    if not can_decide(actor, request):
        raise PermissionDenied(
            _("Рассматривать эту заявку может администратор или %(curator)s.")
            % {"curator": request.organisation.vocabulary.curator}
        )
    # of=self: the joined group and child are nullable, and PostgreSQL locks no outer-joined rows.
    request = (
        JoinRequest.objects.select_for_update(of=("self",))
        .select_related("organisation", "group", "user", "child")
        .get(pk=request.pk)
    )
    if request.status != Status.PENDING:
        raise Conflict(_("Заявка уже рассмотрена."), code="request_decided")
    return request


def join_request_approve(*, request: JoinRequest, actor, child_id: int | None = None) -> JoinRequest:
    """Approve: the person joins exactly as a link would have joined them; they are told by e-mail.

    A parent's request without a child (the parent typed a name) is approved with the child the approver
    chooses from the class by `child_id`.
    """
    with transaction.atomic():
        request = _decide(request, actor)
        org, user = request.organisation, request.user
        if request.role == InviteRole.PARENT and request.child is None and child_id is not None:
            request.child = _child_in_class(org, request.group, child_id) if request.group_id else None
            if request.child is None or request.child.pk == user.pk:
                raise RuleViolation(
                    _("Выберите ребёнка из списка %(group_genitive)s.")
                    % {"group_genitive": org.vocabulary.group_genitive},
                    code="child_not_in_class",
                    fields={
                        "child": [
                            _("Не найден в %(group_locative)s.") % {"group_locative": org.vocabulary.group_locative}
                        ]
                    },
                )
        if request.role == InviteRole.TEACHER:
            membership_add(organisation=org, user=user, role=Membership.Role.TEACHER, actor=None)
        elif request.role == InviteRole.STUDENT:
            membership_add(organisation=org, user=user, role=Membership.Role.STUDENT, actor=None)
            student_place(organisation=org, student=user, group=request.group, actor=None)
        else:
            if request.child is None:
                raise RuleViolation(
                    _(
                        "Выберите ребёнка из списка %(group_genitive)s. Если его там нет, одобрить заявку можно, "
                        "когда ребёнок вступит в %(group_accusative)s; если родитель ошибся, отклоните заявку, "
                        "указав причину."
                    )
                    % {
                        "group_genitive": org.vocabulary.group_genitive,
                        "group_accusative": org.vocabulary.group_accusative,
                    },
                    code="child_required",
                    fields={"child": [_("Выберите ребёнка.")]},
                )
            parent_link_create(organisation=org, parent=user, child=request.child, actor=None)
        request.status = Status.APPROVED
        request.decided_at = timezone.now()
        request.decided_by = actor
        request.save()
        audit_record(organisation=org, actor=actor, action="join_request.approved", obj=request)
        letter = {"organisation": inner_quotes(org), "link": site_url()}
        email_letter_after_commit("join_request_approved", letter, recipients=[user.email])
    return request


def join_request_reject(*, request: JoinRequest, actor, reason: str) -> JoinRequest:
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(
            _("Укажите причину отказа."), code="reason_required", fields={"reason": [_("Обязательное поле.")]}
        )
    with transaction.atomic():
        request = _decide(request, actor)
        request.status = Status.REJECTED
        request.decided_at = timezone.now()
        request.decided_by = actor
        request.reason = reason
        request.save()
        audit_record(
            organisation=request.organisation,
            actor=actor,
            action="join_request.rejected",
            obj=request,
            details={"reason": reason},
        )
        letter = {"organisation": inner_quotes(request.organisation), "reason": reason}
        email_letter_after_commit("join_request_rejected", letter, recipients=[request.user.email])
    return request


def join_request_withdraw(*, request: JoinRequest, actor) -> JoinRequest:
    """The applicant withdraws their pending request; a link's use it took is given back to the link."""
    with transaction.atomic():
        request = JoinRequest.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=request.pk)
        if request.user_id != actor.pk:
            raise PermissionDenied(_("Отозвать заявку может только тот, кто её подал."))
        if request.status != Status.PENDING:
            raise Conflict(_("Заявка уже рассмотрена: отозвать её нельзя."), code="request_decided")
        request.status = Status.WITHDRAWN
        request.decided_at = timezone.now()
        request.decided_by = actor
        request.save(update_fields=["status", "decided_at", "decided_by"])
        if request.invite_id:
            _give_use_back(request.invite_id, actor)
        audit_record(organisation=request.organisation, actor=actor, action="join_request.withdrawn", obj=request)
    return request


def _give_use_back(invite_id: int, user) -> None:
    """Nobody joined, so the link counts no use: the person may open it again, a personal link works again."""
    # Lock the invite so that a redemption running now and this release count uses one after the other.
    invite = Invite.objects.select_for_update().get(pk=invite_id)
    deleted, _rows = Redemption.objects.filter(invite=invite, user=user).delete()
    if not deleted:
        return
    invite.use_count = max(invite.use_count - 1, 0)
    fields = ["use_count"]
    if invite.status == Invite.Status.USED_UP:
        invite.status = Invite.Status.ACTIVE
        invite.status_changed_at = timezone.now()
        fields += ["status", "status_changed_at"]
    invite.save(update_fields=fields)
