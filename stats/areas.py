"""Municipalities («муниципалитеты») and who may read them: the organisations of an area are matched by the region and
municipality of their profile, written as people write them (case, spaces and «ё» do not matter)."""

from collections import Counter

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from orgs.models import Organisation
from portal.exceptions import NotFound

from .models import Area, AreaMethodologist


def area_key(text: str) -> str:
    """The form in which two spellings of one name compare equal: «Селенгинский  район» is «селенгинский район»."""
    return " ".join(text.replace("ё", "е").replace("Ё", "Е").casefold().split())


def areas_for_user(user) -> QuerySet[Area]:
    """The areas whose statistics the user reads: a methodologist's own, every area for the platform operator."""
    if not user.is_authenticated or not user.is_active:
        return Area.objects.none()
    if user.is_superuser:
        return Area.objects.all()
    return Area.objects.filter(pk__in=AreaMethodologist.objects.filter(user=user).values("area_id"))


def area_get(user, pk) -> Area:
    """The area if the user reads it; NotFound otherwise, so that another area's existence is not revealed."""
    try:
        return areas_for_user(user).get(pk=int(pk))
    except (Area.DoesNotExist, ValueError, TypeError, OverflowError):
        raise NotFound(_("Муниципалитет не найден.")) from None


def area_of(organisation: Organisation) -> Area | None:
    """The area the organisation's profile names, if the operator has created it (one query)."""
    return Area.objects.filter(
        region_key=area_key(organisation.region), municipality_key=area_key(organisation.municipality)
    ).first()


def area_organisations(area: Area) -> list[Organisation]:
    """The active organisations of the area, by name, in one query.

    The comparison is done here rather than in SQL: SQLite lowers only ASCII letters. Only three short columns of
    each organisation are read to match; the profile is fetched for the matching ones."""
    candidates = Organisation.objects.filter(is_active=True).values_list("pk", "region", "municipality")
    wanted = (area.region_key, area.municipality_key)
    ids = [pk for pk, region, municipality in candidates if (area_key(region), area_key(municipality)) == wanted]
    return list(Organisation.objects.filter(pk__in=ids).order_by("short_name", "pk")) if ids else []


def area_targets_q(organisation: Organisation) -> Q:
    """The targets row of the organisation's area, as a condition on Targets (no query of its own)."""
    return Q(area__region_key=area_key(organisation.region), area__municipality_key=area_key(organisation.municipality))


def area_time_zone(organisations) -> str:
    """The clock of an area's documents: the time zone most of its organisations keep (a municipality lies in one,
    almost always); Moscow's while it has none."""
    zones = Counter(o.time_zone for o in organisations)
    return min(zones, key=lambda zone: (-zones[zone], zone)) if zones else "Europe/Moscow"
