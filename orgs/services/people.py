"""Adding a person by the administrator: find or create the account, add the role, place a student."""

from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.phones import normalize_phone
from portal.accounts.services import user_create
from portal.exceptions import RuleViolation

from ..models import Group, Membership, Organisation
from ..permissions import require
from .membership import membership_add, student_place


def person_add(
    *,
    organisation: Organisation,
    actor,
    role: str,
    last_name: str,
    first_name: str,
    patronymic: str = "",
    phone: str | None = None,
    email: str | None = None,
    position: str = "",
    group: Group | None = None,
    verified: bool = False,
) -> Membership:
    """Add a person in a role (hire a teacher, enrol a student into a class, add a parent)."""
    require(
        actor,
        "invite_staff" if role in (Membership.Role.TEACHER, Membership.Role.ADMIN) else "manage_movement",
        organisation,
    )
    if role == Membership.Role.ADMIN:
        raise RuleViolation(_("Администратором назначают из числа педагогов."), code="admin_via_appoint")
    if not phone and not email:
        raise RuleViolation(
            _("Укажите телефон или e-mail."),
            code="contact_required",
            fields={"phone": [_("Укажите телефон или e-mail.")]},
        )
    if role == Membership.Role.STUDENT and group is None:
        raise RuleViolation(
            _("Укажите класс обучающегося."), code="class_required", fields={"group": [_("Обязательное поле.")]}
        )
    with transaction.atomic():
        user = None
        if phone:
            user = User.objects.filter(phone=normalize_phone(phone)).first()
        if user is None and email:
            user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            user = user_create(
                last_name=last_name, first_name=first_name, patronymic=patronymic, phone=phone, email=email
            )
        membership = membership_add(
            organisation=organisation, user=user, role=role, actor=actor, position=position, verified=verified
        )
        if role == Membership.Role.STUDENT:
            student_place(organisation=organisation, student=user, group=group, actor=actor)
    return membership
