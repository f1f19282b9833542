"""Joining by a link: the role rules, exactly once under concurrency, expiry enforced here and now."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chats.models import ChatMember
from chats.services.membership import chat_member_join
from orgs.models import Membership, ParentLink, Placement
from orgs.services.audit import audit_record
from orgs.services.membership import membership_add, parent_link_create, student_place
from portal.compiled import Compiled
from portal.exceptions import Conflict, Gone, NotFound, RuleViolation

from .. import tokens
from ..hooks import pending_child, redemption_listeners
from ..models import Invite, InviteRole, JoinRequest
from .chat_invites import chat_invite_admits
from .guard import leak_check
from .redeem_sql import Place, pending_request_id, redemption_record, student_places, use_take
from .staff_links import staff_link_join

Status = Invite.Status


@dataclass
class Outcome:
    kind: str  # joined | already | requested
    invite: Invite
    membership: Membership | None = None
    join_request: JoinRequest | None = None
    chat_member: ChatMember | None = None


# What a page about the link shows with it (who invited, the chat, the child); joining needs only the organisation
# with its rules for links and the class: the ORM's building of the five joins and their columns cost about as much
# as the rest of a redemption's reads together, and a chat's link, a personal link or a failure reads what it shows.
PAGE_RELATED = ("organisation__invite_policy", "target_group", "target_chat__group", "created_by", "bound_student")
JOIN_RELATED = ("organisation__invite_policy", "target_group")


# Compiled once per process (portal.compiled): each look-up of a token compiled the joins anew.
_INVITE_BY_HASH = {
    related: Compiled(
        Invite,
        lambda token_hash, related=related: (
            Invite.objects.select_related(*related).filter(token_hash=token_hash).order_by()[:1]
        ),
        arity=1,
    )
    for related in (PAGE_RELATED, JOIN_RELATED)
}


def invite_find(token: str, *, related=PAGE_RELATED) -> Invite:
    """The invite for a token, with `related` read in the same query. Unknown and malformed tokens look the same:
    «ссылка не найдена»."""
    if not tokens.looks_like_token(token):
        raise NotFound(
            _("Ссылка-приглашение не найдена. Проверьте, что она скопирована целиком."), code="invite_not_found"
        )
    found = _INVITE_BY_HASH[related](tokens.token_hash(token))
    invite = found[0] if found else None
    if invite is None:
        raise NotFound(
            _("Ссылка-приглашение не найдена. Проверьте, что она скопирована целиком."), code="invite_not_found"
        )
    return invite


def invite_state(invite: Invite, now=None) -> str:
    """The status as it is now, whether or not the expiry job has run."""
    now = now or timezone.now()
    if invite.status == Status.ACTIVE and invite.expires_at <= now:
        return Status.EXPIRED
    return invite.status


def ensure_usable(invite: Invite) -> None:
    state = invite_state(invite)
    if state == Status.EXPIRED:
        raise Gone(_("Срок действия ссылки истёк. Попросите пригласившего прислать новую."), code="invite_expired")
    if state == Status.USED_UP:
        raise Gone(_("Ссылка уже использована нужное число раз. Попросите новую."), code="invite_used_up")
    if state == Status.REVOKED:
        raise Gone(_("Ссылка отозвана. Попросите пригласившего прислать новую."), code="invite_revoked")
    if state == Status.PAUSED:
        raise Conflict(_("Ссылка временно приостановлена. Обратитесь к пригласившему."), code="invite_paused")
    if invite.target_chat_id and invite.target_chat.is_archived:
        raise Gone(_("Чат в архиве: вступить в него по ссылке нельзя."), code="chat_archived")


def _student_placements(invite: Invite, user) -> list[Place]:
    """The classes the person is placed in now in the organisation, read once for the checks of a student's link."""
    return student_places(organisation_id=invite.organisation_id, user_id=user.pk)


def _pending_request(invite: Invite, user) -> JoinRequest | None:
    """The person's join request in the link's role waiting for a decision, if any (then nobody joins twice)."""
    found = pending_request_id(organisation_id=invite.organisation_id, user_id=user.pk, role=invite.role)
    return JoinRequest.objects.get(pk=found) if found is not None else None


def _active_membership(invite: Invite, user) -> Membership | None:
    # One row at most (the partial unique index): unordered, so that the model's ordering joins no organisation.
    active = Membership.objects.filter(
        organisation=invite.organisation, user=user, role=invite.role, valid_to__isnull=True
    ).order_by()
    return next(iter(active[:1]), None)


def _already(invite: Invite, user, placements: list[Place] | None = None) -> Membership | None:
    org = invite.organisation
    if invite.role == InviteRole.STUDENT:
        # In the link's class already (then a student's membership is looked at), or not here yet.
        placements = _student_placements(invite, user) if placements is None else placements
        if not any(p.group_id == invite.target_group_id for p in placements):
            return None
        return _active_membership(invite, user)
    active = _active_membership(invite, user)
    if active is None:
        return None
    if invite.role == InviteRole.PARENT and invite.bound_student_id:
        return (
            active
            if ParentLink.objects.filter(
                organisation=org, parent=user, child=invite.bound_student, valid_to__isnull=True
            ).exists()
            else None
        )
    if invite.role == InviteRole.PARENT and invite.target_group_id:
        # A parent of one pupil may use a class's link for another child of theirs in another class.
        linked_here = Placement.objects.filter(
            group=invite.target_group,
            valid_to__isnull=True,
            student__in=ParentLink.objects.filter(organisation=org, parent=user, valid_to__isnull=True).values("child"),
        ).exists()
        return active if linked_here else None
    return active


def is_student_of(organisation, user) -> bool:
    """A student of the organisation now, in any class."""
    return (
        user.is_authenticated
        and Placement.objects.filter(organisation=organisation, student=user, valid_to__isnull=True).exists()
    )


def _check_role_rules(invite: Invite, user, child, child_name: str = "", placements=None) -> None:
    org = invite.organisation
    if invite.role == InviteRole.STUDENT:
        placements = _student_placements(invite, user) if placements is None else placements
        other = next((p for p in placements if p.group_id != invite.target_group_id), None)
        if other:
            raise RuleViolation(
                _(
                    "Вы уже состоите в %(group_locative)s «%(group)s» этой организации. Перевод в другой "
                    "выполняет администратор — обратитесь к нему."
                )
                % {"group_locative": org.vocabulary.group_locative, "group": other.group_name},
                code="student_in_other_class",
            )
    if invite.role == InviteRole.PARENT:
        # A student's account never becomes a parent here: it would open the parents' chats and the class roster.
        if (child is not None and child.pk == user.pk) or is_student_of(org, user):
            raise RuleViolation(
                _(
                    "Вы вошли под учётной записью ребёнка. Родитель присоединяется со своей учётной записью: "
                    "выйдите и войдите (или зарегистрируйтесь) по своему телефону или e-mail."
                ),
                code="parent_is_child",
            )
        if child is None and child_name:
            return  # not on the class's list (yet): the approver finds the child by the name the parent typed
        if child is None:
            raise RuleViolation(
                _("Выберите своего ребёнка из списка %(group_genitive)s или впишите его фамилию и имя.")
                % {"group_genitive": org.vocabulary.group_genitive},
                code="child_required",
                fields={"child": [_("Выберите ребёнка или впишите его фамилию и имя.")]},
            )
        if not Placement.objects.filter(
            organisation=org, student=child, group=invite.target_group, valid_to__isnull=True
        ).exists():
            raise RuleViolation(
                _("Этот ребёнок не учится в %(group_locative)s, куда вас пригласили.")
                % {"group_locative": org.vocabulary.group_locative},
                code="child_not_in_class",
            )


def _join(invite: Invite, user, child, placements: list[Place] | None = None) -> Membership:
    """`placements`: a student's classes here as read in the redemption's transaction."""
    org = invite.organisation
    if invite.role in (InviteRole.CURATOR, InviteRole.ADMIN):
        return staff_link_join(invite, user)
    if invite.role == InviteRole.TEACHER:
        return membership_add(organisation=org, user=user, role=Membership.Role.TEACHER, actor=None)
    if invite.role == InviteRole.STUDENT:
        membership = membership_add(organisation=org, user=user, role=Membership.Role.STUDENT, actor=None)
        placement = student_place(
            organisation=org,
            student=user,
            group=invite.target_group,
            actor=None,
            membership=membership,
            unplaced=placements == [],  # nothing to lock or end: no savepoint around the placement's rows
        )
        placement.group = invite.target_group
        membership.user.current_placements = [placement]  # what the membership's serializer shows, not read again
        return membership
    parent_link_create(organisation=org, parent=user, child=child, actor=None)
    return Membership.objects.get(organisation=org, user=user, role=Membership.Role.PARENT, valid_to__isnull=True)


def _record_redemption(invite: Invite, user, ip: str | None) -> bool:
    """Record this person's redemption; False if they already used the link (one row per person and link)."""
    return redemption_record(invite_id=invite.pk, user_id=user.pk, ip=ip)


def _take_use(invite: Invite) -> None:
    """Count the use: one conditional UPDATE at the very end of the redemption's transaction, so that the invite's
    row is locked only from here to the commit. Two requests racing for the last use both get here; the second
    waits for the first's commit, finds `use_count < max_uses` false, and its whole redemption rolls back (Gone).
    The link turns «used up» in the same statement when this was its last use; the instance is not re-read (the
    leak check that follows pauses only a link still active in the database)."""
    taken = use_take(invite_id=invite.pk)
    if not taken:
        invite.refresh_from_db(fields=["use_count", "status", "status_changed_at", "expires_at"])
        ensure_usable(invite)  # the state another request left: used up, paused, revoked or expired
        raise Gone(_("Ссылка уже использована нужное число раз. Попросите новую."), code="invite_used_up")


def _redeem_into_chat(invite: Invite, user, ip: str | None) -> Outcome:
    """An invite into a chat: a member of the organisation in the invite's role joins the chat by hand."""
    chat = invite.target_chat
    present = ChatMember.objects.filter(chat=chat, user=user, left_at__isnull=True).first()
    if present is not None:
        return Outcome("already", invite, chat_member=present)
    ensure_usable(invite)
    membership = chat_invite_admits(invite, user)
    if not _record_redemption(invite, user, ip):
        # Used once already, and no longer in the chat: they left or were removed; the same link does not undo it.
        raise RuleViolation(
            _("Вы уже вступали в чат по этой ссылке и вышли из него. Чтобы вернуться, попросите новую ссылку."),
            code="chat_invite_used_by_you",
        )
    row, _created = chat_member_join(chat=chat, user=user)
    _take_use(invite)
    audit_record(
        organisation=invite.organisation,
        actor=user,
        action="invite.redeemed",
        obj=invite,
        details={"outcome": "joined", "chat": chat.pk, "chat_member": row.pk},
    )
    return Outcome("joined", invite, membership=membership, chat_member=row)


def _child_of_class(invite: Invite, child_id: int | None):
    """The pupil a parent chose from the class's list, by id; only the class is searched, never the platform."""
    if child_id is None:
        return None
    placement = (
        Placement.objects.filter(
            organisation=invite.organisation, group=invite.target_group, student_id=child_id, valid_to__isnull=True
        )
        .select_related("student")
        .first()
    )
    if placement is None:
        vocab = invite.organisation.vocabulary
        raise RuleViolation(
            _("Этот ребёнок не учится в %(group_locative)s, куда вас пригласили.")
            % {"group_locative": vocab.group_locative},
            code="child_not_in_class",
            fields={"child": [_("Не найден в %(group_locative)s.") % {"group_locative": vocab.group_locative}]},
        )
    return placement.student


def _pending_child_of(invite: Invite):
    if invite.role != InviteRole.PARENT or invite.bound_student_id is not None:
        return None
    return pending_child(invite)


def _bind_pending_child(invite: Invite, user, found) -> None:
    """A parent's link for a pupil with no account yet (a young pupil of the roster): the parent's joining makes
    the child's account in the class, and the link is bound to the child as if the child had joined first."""
    if is_student_of(invite.organisation, user):
        return  # a student's own account never becomes a parent: _check_role_rules says so
    invite.bound_student = found.make(user)
    invite.bound_student_id = invite.bound_student.pk


def invite_redeem(
    *,
    token: str = "",
    invite: Invite | None = None,
    user,
    child=None,
    child_id: int | None = None,
    child_name: str = "",
    ip: str | None = None,
) -> Outcome:
    """Join by a link. Twice is harmless; the last use can be taken by one request only.

    A parent's child comes as a person (the browser's list) or as an id (the API), looked up in the class only.
    A parent whose child is not on the list types the child's name instead: that makes a request the curator
    (or an administrator) decides, choosing the child from the class when they approve.
    """
    child_name = " ".join((child_name or "").split())[:300]
    # A request has looked its token up once (guard.invite_lookup) and passes the invite; a token is found here.
    invite = invite if invite is not None else invite_find(token)
    # No lock up front: the person's rows are written first and the use is taken last (_take_use), so that the
    # invite's row stays locked only for the end of the transaction while thirty parents join by one link.
    with transaction.atomic():
        if invite.target_chat_id:
            return _redeem_into_chat(invite, user, ip)
        # A parent of a pupil of this class is not «already here» by a link made for a sibling with no account yet.
        waiting_child = _pending_child_of(invite)
        placements = _student_placements(invite, user) if invite.role == InviteRole.STUDENT else None
        existing = None if waiting_child else _already(invite, user, placements)
        if existing is not None:
            return Outcome("already", invite, membership=existing)
        pending = _pending_request(invite, user)
        if pending is not None:
            return Outcome("requested", invite, join_request=pending)
        ensure_usable(invite)
        if waiting_child is not None:
            _bind_pending_child(invite, user, waiting_child)
        if invite.role == InviteRole.PARENT:
            child = invite.bound_student or child or _child_of_class(invite, child_id)
        if child is not None or invite.role != InviteRole.PARENT:
            child_name = ""
        _check_role_rules(invite, user, child, child_name, placements)
        chosen_child = invite.role == InviteRole.PARENT and invite.bound_student_id is None
        if not _record_redemption(invite, user, ip):
            return Outcome("already", invite, membership=_already(invite, user))
        if invite.requires_approval or chosen_child:
            request = JoinRequest.objects.create(
                organisation=invite.organisation,
                user=user,
                role=invite.role,
                group=invite.target_group,
                child=child,
                child_name=child_name,
                invite=invite,
            )
            audit_record(
                organisation=invite.organisation,
                actor=user,
                action="invite.redeemed",
                obj=invite,
                details={"outcome": "requested", "join_request": request.pk},
            )
            from .join_requests import notify_approvers

            notify_approvers(request)
            outcome = Outcome("requested", invite, join_request=request)
        else:
            membership = _join(invite, user, child, placements)
            for listener in redemption_listeners:
                listener(invite=invite, user=user, membership=membership)
            audit_record(
                organisation=invite.organisation,
                actor=user,
                action="invite.redeemed",
                obj=invite,
                details={"outcome": "joined", "membership": membership.pk},
            )
            outcome = Outcome("joined", invite, membership=membership)
        _take_use(invite)
        leak_check(invite)  # with the invite's row locked by the use just taken
    return outcome
