"""Personal links for a whole class at once: one per student on a list of names, one per current student's parents."""

from django.db import transaction

from orgs.models import Group, Organisation, Placement
from portal.exceptions import RuleViolation

from ..models import Invite, InviteRole
from ..permissions import check_can_invite
from .links import invite_create

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
        check_can_invite(actor, organisation, InviteRole.STUDENT, group)
    students = []
    if parents:
        check_can_invite(actor, organisation, InviteRole.PARENT, group)
        students = [
            p.student
            for p in Placement.objects.filter(organisation=organisation, group=group, valid_to__isnull=True)
            .select_related("student")
            .order_by("student__last_name", "student__first_name", "pk")
        ]
    if not names and not students:
        raise RuleViolation(
            "Укажите имена обучающихся или выберите приглашения родителям учеников класса, в котором есть обучающиеся.",
            code="bulk_empty",
            fields={"student_names": ["Список пуст."]},
        )
    if len(names) + len(students) > BULK_LIMIT:
        raise RuleViolation(f"За один раз можно создать не больше {BULK_LIMIT} ссылок.", code="bulk_too_large")
    created = []
    with transaction.atomic():
        for name in names:
            created.append(
                invite_create(
                    organisation=organisation,
                    actor=actor,
                    role=InviteRole.STUDENT,
                    target_group=group,
                    max_uses=1,
                    expires_at=expires_at,
                    recipient_name=name,
                )
            )
        for student in students:
            created.append(
                invite_create(
                    organisation=organisation,
                    actor=actor,
                    role=InviteRole.PARENT,
                    target_group=group,
                    max_uses=1,
                    expires_at=expires_at,
                    bound_student=student,
                )
            )
    return created
