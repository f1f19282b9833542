"""The organisation's rules for links (InvitePolicy): read with the defaults, changed with checks and an audit entry."""

from django.db import transaction
from django.utils.translation import gettext, gettext_lazy

from orgs.models import Organisation
from orgs.permissions import require
from orgs.services.audit import audit_record
from orgs.services.structure import staff_headcount_set
from portal.exceptions import RuleViolation

from ..models import InvitePolicy

# field -> (lowest, highest, what the message calls it)
LIMITS = {
    "teacher_days": (1, 365, gettext_lazy("Срок ссылки для педагогов")),
    "student_days": (1, 365, gettext_lazy("Срок ссылки для обучающихся")),
    "parent_days": (1, 365, gettext_lazy("Срок ссылки для родителей")),
    "max_days": (1, 365, gettext_lazy("Наибольший срок ссылки")),
    "unused_days": (1, 365, gettext_lazy("Срок, после которого невостребованные ссылки аннулируются")),
    "leak_margin": (0, 1000, gettext_lazy("Запас переходов сверх состава класса или группы")),
    "leak_spike_uses": (1, 10_000, gettext_lazy("Число переходов во всплеске")),
    "leak_spike_minutes": (1, 1440, gettext_lazy("Окно всплеска")),
    "admin_hours": (1, 72, gettext_lazy("Срок ссылки для администратора")),
}
# The message for a value out of bounds, by the unit of the setting (days unless named here).
OUT_OF_BOUNDS = {
    "days": gettext_lazy("%(name)s — целое число от %(low)s до %(high)s дн."),
    "minutes": gettext_lazy("%(name)s — целое число от %(low)s до %(high)s мин."),
    "hours": gettext_lazy("%(name)s — целое число от %(low)s до %(high)s ч."),
    "count": gettext_lazy("%(name)s — целое число от %(low)s до %(high)s."),
}
UNITS = {"leak_margin": "count", "leak_spike_uses": "count", "leak_spike_minutes": "minutes", "admin_hours": "hours"}
ROLE_DAYS = ("teacher_days", "student_days", "parent_days")
FIELDS = tuple(LIMITS)


def policy_for(organisation: Organisation) -> InvitePolicy:
    """The organisation's rules; the defaults of the model until an administrator changes them."""
    policy, _ = InvitePolicy.objects.get_or_create(organisation=organisation)
    return policy


def _name(field: str, organisation: Organisation) -> str:
    """What a message calls the setting, in the organisation's words («сверх состава группы» in a college)."""
    if field == "leak_margin":
        return gettext("Запас переходов сверх состава %(group_genitive)s") % {
            "group_genitive": organisation.vocabulary.group_genitive
        }
    return str(LIMITS[field][2])


def _check(values: dict, organisation: Organisation) -> dict[str, list[str]]:
    errors = {}
    for field, (low, high, _name_any) in LIMITS.items():
        name = _name(field, organisation)
        value = values[field]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            message = OUT_OF_BOUNDS[UNITS.get(field, "days")]
            errors[field] = [str(message) % {"name": name, "low": low, "high": high}]
    if "max_days" not in errors:
        for field in ROLE_DAYS:
            if field not in errors and values[field] > values["max_days"]:
                errors[field] = [
                    gettext("%(name)s не может быть больше наибольшего срока (%(days)s дн.).")
                    % {"name": LIMITS[field][2], "days": values["max_days"]}
                ]
    return errors


def invite_policy_update(*, organisation: Organisation, actor, changes: dict) -> InvitePolicy:
    """Change some of the rules; every value is checked (whole numbers within bounds, each role's term within the
    maximum) and the change is audited as old → new. Nothing is saved if any value is refused."""
    require(actor, "manage_org", organisation, gettext("Настройки организации меняют администраторы."))
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise RuleViolation(
            gettext("Неизвестные настройки: %(names)s.") % {"names": ", ".join(unknown)}, code="settings_unknown"
        )
    with transaction.atomic():
        policy = InvitePolicy.objects.select_for_update().filter(organisation=organisation).first()
        if policy is None:
            policy = InvitePolicy.objects.create(organisation=organisation)
        values = {field: getattr(policy, field) for field in FIELDS} | dict(changes)
        errors = _check(values, organisation)
        if errors:
            first = next(iter(errors.values()))[0]
            raise RuleViolation(
                first
                if len(errors) == 1
                else gettext("%(first)s (и ещё %(more)s)") % {"first": first, "more": len(errors) - 1},
                code="settings_invalid",
                fields=errors,
            )
        diff = {f: [getattr(policy, f), values[f]] for f in FIELDS if getattr(policy, f) != values[f]}
        if diff:
            for field, (_old, new) in diff.items():
                setattr(policy, field, new)
            policy.save(update_fields=list(diff))
            audit_record(
                organisation=organisation,
                actor=actor,
                action="settings.changed",
                obj=organisation,
                details={"changes": diff},
            )
    return policy


def organisation_settings_update(*, organisation: Organisation, actor, changes: dict) -> InvitePolicy:
    """The settings page's one save: the rules for links and the staff headcount, all or nothing."""
    changes = dict(changes)
    headcount_given = "staff_headcount" in changes
    headcount = changes.pop("staff_headcount", None)
    with transaction.atomic():
        policy = invite_policy_update(organisation=organisation, actor=actor, changes=changes)
        if headcount_given:
            staff_headcount_set(organisation=organisation, actor=actor, value=headcount)
    return policy
