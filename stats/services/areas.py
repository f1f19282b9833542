"""Writes of the municipality roll-up: areas and their methodologists (by the platform operator), the targets of an
organisation or an area, and the audit entries that tell each school that the municipality read its statistics."""

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import AuditEntry, Organisation
from orgs.services.audit import audit_record
from portal.exceptions import PermissionDenied, RuleViolation
from portal.request_context import client_ip

from ..areas import area_key, area_organisations, areas_for_user
from ..models import Area, AreaMethodologist, Targets
from ..permissions import require_set_targets
from ..targets import KEYS

TARGET_MIN, TARGET_MAX = 0, 100


def area_get_or_create(*, region: str, municipality: str) -> Area:
    """The area of this region and municipality, however they are spelled; created when missing."""
    region, municipality = " ".join(region.split()), " ".join(municipality.split())
    if not region or not municipality:
        raise RuleViolation(_("Укажите субъект РФ и муниципальное образование."), code="invalid")
    keys = {"region_key": area_key(region), "municipality_key": area_key(municipality)}
    try:
        with transaction.atomic():
            area, _created = Area.objects.get_or_create(
                **keys, defaults={"region": region, "municipality": municipality}
            )
    except IntegrityError:  # created by a concurrent call between the look-up and the insert
        area = Area.objects.get(**keys)
    return area


def methodologist_attach(*, area: Area, user) -> AreaMethodologist:
    """Make the user a methodologist of the area (again: no change). Gives no membership in any organisation."""
    attachment, _created = AreaMethodologist.objects.get_or_create(area=area, user=user)
    return attachment


def validate_targets(values: dict) -> dict[str, int | None]:
    """The targets given, each a whole percentage from 0 to 100 or None (inherit); RuleViolation naming the fields."""
    cleaned, errors = {}, {}
    for key, value in values.items():
        if key not in KEYS:
            continue
        if value is None or value == "":
            cleaned[key] = None
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not TARGET_MIN <= value <= TARGET_MAX:
            errors[key] = [target_error()]
            continue
        cleaned[key] = value
    if errors:
        raise RuleViolation(next(iter(errors.values()))[0], code="invalid", fields=errors)
    return cleaned


def target_error() -> str:
    """The refusal of a target out of range, in the language of the request."""
    return _("Целевое значение — целое число процентов от %(min)s до %(max)s.") % {"min": TARGET_MIN, "max": TARGET_MAX}


@transaction.atomic
def targets_set(*, actor, values: dict, organisation: Organisation | None = None, area: Area | None = None) -> Targets:
    """Set some targets of the organisation (its administrators) or of the area (its methodologists, the operator);
    a None value returns that target to the level above. Each change is written to the audit log."""
    if (organisation is None) == (area is None):
        raise ValueError("targets_set needs an organisation or an area")
    if organisation is not None:
        require_set_targets(actor, organisation)
    elif not areas_for_user(actor).filter(pk=area.pk).exists():
        raise PermissionDenied(_("Целевые значения муниципалитета меняет его методист."))
    cleaned = validate_targets(values)
    row, _created = Targets.objects.select_for_update().get_or_create(organisation=organisation, area=area)
    changed = {key: value for key, value in cleaned.items() if getattr(row, key) != value}
    if not changed:
        return row
    for key, value in changed.items():
        setattr(row, key, value)
    row.updated_at = timezone.now()
    row.save()
    if organisation is not None:
        audit_record(
            organisation=organisation, actor=actor, action="stats.targets_changed", details={"targets": changed}
        )
    else:
        area_audit(
            area=area,
            actor=actor,
            action="stats.area_targets_changed",
            organisations=area_organisations(area),
            details={"targets": changed},
        )
    return row


def area_audit(*, area: Area, actor, action: str, organisations, details: dict | None = None) -> None:
    """One entry in the log of each organisation the municipality read or set targets for, in one insert: a school's
    administrator sees there that the municipality looked at its statistics."""
    now, ip = timezone.now(), client_ip.get()
    AuditEntry.objects.bulk_create(
        AuditEntry(
            organisation=organisation,
            actor=actor if actor is not None and actor.is_authenticated else None,
            action=action,
            object_type="area",
            object_id=str(area.pk),
            object_repr=str(area)[:255],
            details={"area": str(area), **(details or {})},
            ip_address=ip,
            created_at=now,
        )
        for organisation in organisations
    )


def period_text(first: date, last: date) -> str:
    return f"{first:%d.%m.%Y} – {last:%d.%m.%Y}"
