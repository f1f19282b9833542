"""The responsible persons the orders name: appointed and relieved by the administrators."""

import datetime

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from orgs.models import Membership, Organisation
from orgs.services.audit import audit_record
from portal.exceptions import RuleViolation

from ..models import ResponsiblePerson
from ..permissions import require_manage_documents


def _duty(responsible: ResponsiblePerson) -> str:
    with translation.override("ru"):  # the log keeps the words of the documents
        return str(responsible.get_duty_display())


def responsible_add(
    *,
    organisation: Organisation,
    actor,
    person,
    duty: str,
    position: str,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
) -> ResponsiblePerson:
    """Name a staff member of the organisation responsible for a duty from a date."""
    require_manage_documents(actor, organisation)
    errors = {}
    if duty not in ResponsiblePerson.Duty.values:
        errors["duty"] = [_("Выберите обязанность.")]
    position = " ".join((position or "").split())
    if not position:
        errors["position"] = [_("Укажите должность.")]
    if valid_to and valid_from and valid_to < valid_from:
        errors["valid_to"] = [_("Дата окончания раньше даты начала.")]
    staff = Membership.objects.filter(
        organisation=organisation,
        user=person,
        role__in=[Membership.Role.TEACHER, Membership.Role.ADMIN],
        valid_to__isnull=True,
    )
    if person is None or not staff.exists():
        errors["person"] = [_("Ответственным можно назначить только работника организации.")]
    if errors:
        raise RuleViolation(_("Проверьте сведения об ответственном."), code="invalid", fields=errors)
    with transaction.atomic():
        responsible = ResponsiblePerson.objects.create(
            organisation=organisation,
            person=person,
            duty=duty,
            position=position[:255],
            valid_from=valid_from,
            valid_to=valid_to,
        )
        audit_record(
            organisation=organisation,
            actor=actor,
            action="policy.responsible_added",
            obj=responsible,
            details={"duty": _duty(responsible), "position": responsible.position},
        )
    return responsible


def responsible_end(*, responsible: ResponsiblePerson, actor, valid_to: datetime.date) -> ResponsiblePerson:
    """Relieve the person of the duty from the day after `valid_to`."""
    require_manage_documents(actor, responsible.organisation)
    if valid_to < responsible.valid_from:
        raise RuleViolation(
            _("Дата окончания раньше даты назначения."), code="invalid", fields={"valid_to": [_("Слишком рано.")]}
        )
    with transaction.atomic():
        responsible.valid_to = valid_to
        responsible.save(update_fields=["valid_to"])
        audit_record(
            organisation=responsible.organisation,
            actor=actor,
            action="policy.responsible_ended",
            obj=responsible,
            details={"duty": _duty(responsible)},
        )
    return responsible
