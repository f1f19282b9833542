"""Target weekly-active shares: the organisation's own value, else its area's, else the regional default
(dashboard.TARGETS). Each value is inherited on its own: an organisation may set only the parents' target."""

from dataclasses import dataclass

from django.db.models import Q

from orgs.models import Organisation

from .areas import area_targets_q
from .dashboard import TARGETS
from .models import Area, Targets

KEYS = tuple(key for key, _role, _target, _label in TARGETS)
DEFAULTS = {key: target for key, _role, target, _label in TARGETS}
LABELS = {key: label for key, _role, _target, label in TARGETS}


class Source:
    ORGANISATION, AREA, DEFAULT = "organisation", "area", "default"


SOURCE_LABELS = {
    Source.ORGANISATION: "задано организацией",
    Source.AREA: "задано муниципалитетом",
    Source.DEFAULT: "региональное значение по умолчанию",
}


@dataclass(frozen=True)
class Target:
    key: str
    label: str
    value: int
    source: str
    own: int | None  # the value set at the level asked about (None: inherited)

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS[self.source]


def _resolve(levels: list[tuple[str, Targets | None]], own_source: str) -> dict[str, Target]:
    result = {}
    for key in KEYS:
        value, source = DEFAULTS[key], Source.DEFAULT
        for name, row in reversed(levels):  # the nearer level wins
            if row is not None and getattr(row, key) is not None:
                value, source = getattr(row, key), name
        own_row = dict(levels).get(own_source)
        own = getattr(own_row, key) if own_row is not None else None
        result[key] = Target(key, LABELS[key], value, source, own)
    return result


def organisation_targets(organisation: Organisation) -> dict[str, Target]:
    """{key: Target} in force for the organisation, in one query."""
    rows = list(Targets.objects.filter(area_targets_q(organisation) | Q(organisation=organisation)))
    own = next((r for r in rows if r.organisation_id == organisation.pk), None)
    area = next((r for r in rows if r.area_id is not None), None)
    return _resolve([(Source.ORGANISATION, own), (Source.AREA, area)], Source.ORGANISATION)


def area_targets(area: Area) -> dict[str, Target]:
    """{key: Target} the area sets for its organisations, in one query."""
    row = Targets.objects.filter(area=area).first()
    return _resolve([(Source.AREA, row)], Source.AREA)


def targets_of_area_organisations(area: Area, organisation_ids) -> dict[int, dict[str, int]]:
    """{organisation id: {key: value}} in force for each organisation of the area, in one query."""
    rows = list(Targets.objects.filter(Q(organisation_id__in=list(organisation_ids)) | Q(area=area)))
    area_row = next((r for r in rows if r.area_id == area.pk), None)
    own = {r.organisation_id: r for r in rows if r.organisation_id is not None}
    return {
        pk: {
            key: target.value
            for key, target in _resolve(
                [(Source.ORGANISATION, own.get(pk)), (Source.AREA, area_row)], Source.ORGANISATION
            ).items()
        }
        for pk in organisation_ids
    }
