"""«Приказ о назначении администратора»: the order an administrator records when appointing another one."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.exceptions import RuleViolation

from ..models import AdminAppointmentOrder, Organisation
from ..uploads import validate_order_file

NUMBER_MAX = 50


def admin_order_clean(*, number: str, date, order_file=None) -> tuple[str, datetime.date]:
    """The order's number and date checked (the file by its content); RuleViolation with a message per field."""
    number = " ".join((number or "").split())
    errors = {}
    if not number:
        errors["order_number"] = [_("Укажите номер приказа.")]
    elif len(number) > NUMBER_MAX:
        errors["order_number"] = [_("Номер приказа — не длиннее %(limit)s символов.") % {"limit": NUMBER_MAX}]
    if date is None:
        errors["order_date"] = [_("Укажите дату приказа.")]
    elif date > timezone.localdate():
        errors["order_date"] = [_("Дата приказа не может быть в будущем.")]
    if errors:
        first = next(iter(errors.values()))[0]
        raise RuleViolation(
            _("Приказ о назначении администратора: %(error)s") % {"error": f"{first[0].lower()}{first[1:]}"},
            code="order_invalid",
            fields=errors,
        )
    if order_file is not None:
        validate_order_file(order_file)
    return number, date


def admin_order_create(
    *, organisation: Organisation, actor, number: str, date, order_file=None, membership=None
) -> AdminAppointmentOrder:
    """Store a checked order (without a membership while an administrator's link waits to be redeemed)."""
    number, date = admin_order_clean(number=number, date=date, order_file=order_file)
    return AdminAppointmentOrder.objects.create(
        organisation=organisation,
        membership=membership,
        number=number,
        date=date,
        file=order_file or "",
        recorded_by=actor,
    )
