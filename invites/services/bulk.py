"""Personal links for a whole class at once: one per student on a list of names, one per current student's parents."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext, ngettext

from orgs.models import Group, Organisation, Placement
from orgs.services.audit import audit_record
from portal.accounts.phones import normalize_phone
from portal.exceptions import RuleViolation

from ..models import Invite, InviteRole
from ..permissions import require_class_target, require_invite
from .links import _expiry, _new_token_fields, invite_create, policy_for

BULK_LIMIT = 200


def invite_bulk_for_class(
    *,
    organisation: Organisation,
    actor,
    group: Group,
    student_names: list[str] = (),
    parents: bool = False,
    expires_at=None,
) -> list[tuple[Invite, str]]:
    """Single-use student links for each name and, if asked, a single-use parent link bound to each current
    student of the class. All or nothing: one refused link rolls back the whole batch."""
    names = [" ".join(name.split()) for name in student_names]
    names = [name for name in names if name]
    if names:
        require_invite(actor, organisation, InviteRole.STUDENT, group)
    students = []
    if parents:
        require_invite(actor, organisation, InviteRole.PARENT, group)
        students = [
            p.student
            for p in Placement.objects.filter(organisation=organisation, group=group, valid_to__isnull=True)
            .select_related("student")
            .order_by("student__last_name", "student__first_name", "pk")
        ]
    if not names and not students:
        raise RuleViolation(
            gettext(
                "Укажите имена обучающихся или выберите приглашения родителям учеников класса, в котором есть "
                "обучающиеся."
            )
            if organisation.vocabulary.is_class
            else gettext(
                "Укажите имена %(students_genitive)s или выберите приглашения родителям %(students_genitive)s — "
                "в %(group_locative)s должны быть %(students)s."
            )
            % {
                "students_genitive": organisation.vocabulary.students_genitive,
                "group_locative": organisation.vocabulary.group_locative,
                "students": organisation.vocabulary.students,
            },
            code="bulk_empty",
            fields={"student_names": [gettext("Список пуст.")]},
        )
    if len(names) + len(students) > BULK_LIMIT:
        raise RuleViolation(
            ngettext(
                "За один раз можно создать не больше %(limit)s ссылки.",
                "За один раз можно создать не больше %(limit)s ссылок.",
                BULK_LIMIT,
            )
            % {"limit": BULK_LIMIT},
            code="bulk_too_large",
        )
    # A personal link for each named student, then one for the parents of each student of the class.
    links = [{"role": InviteRole.STUDENT, "recipient_name": name} for name in names]
    links += [{"role": InviteRole.PARENT, "bound_student": student} for student in students]
    with transaction.atomic():
        return [
            invite_create(
                organisation=organisation, actor=actor, target_group=group, max_uses=1, expires_at=expires_at, **link
            )
            for link in links
        ]


@dataclass(frozen=True)
class PersonalLink:
    """One single-use link to make: for whom and where (a class for students and parents; staff need none)."""

    role: str
    group: Group | None
    recipient_name: str
    recipient_email: str = ""
    recipient_phone: str = ""


def invites_create_personal(*, organisation: Organisation, actor, links: list[PersonalLink]) -> list[Invite]:
    """Single-use links for many people at once (a roster import), in the given order, in one insert.

    The rights are checked once per role and class; the caller owns the transaction. One audit entry tells how
    many links were made.
    """
    if not links:
        return []
    policy = policy_for(organisation)
    staff = Group.objects.get(organisation=organisation, kind=Group.Kind.STAFF)
    # An administrator may invite into every class: asked once, not once per class (each asking is a query).
    may_every_class = actor.has_perm("orgs.invite_members", organisation)
    checked = set()
    rows = []
    for link in links:
        group = staff if link.role == InviteRole.TEACHER else link.group
        if (link.role, group.pk) not in checked:
            if may_every_class and link.role != InviteRole.TEACHER:
                require_class_target(organisation, group)
            else:
                require_invite(actor, organisation, link.role, group)
            checked.add((link.role, group.pk))
        _token, fields = _new_token_fields()
        rows.append(
            Invite(
                organisation=organisation,
                target_group=group,
                role=link.role,
                created_by=actor,
                max_uses=1,
                expires_at=_expiry(policy, link.role, None),
                recipient_name=link.recipient_name.strip()[:300],
                recipient_email=link.recipient_email.strip(),
                recipient_phone=normalize_phone(link.recipient_phone) if link.recipient_phone else "",
                **fields,
            )
        )
    created = Invite.objects.bulk_create(rows, batch_size=500)
    audit_record(
        organisation=organisation,
        actor=actor,
        action="invite.created_in_bulk",
        details={"count": len(created)},
    )
    return created
