"""Reads of the statistics tables shared by the dashboard, exports and jobs. They take organisations the caller
may already see (permission checks belong to the views); they never read the source tables."""

from collections import defaultdict
from datetime import date

from django.db.models import F, Sum

from .collectors.events import DECISION_HOURS
from .models import ClassDayCount, OrgDayCount, UserDay


def org_series(*, organisation_id: int, indicator_id: str, first: date, last: date, prefix: str = "") -> dict:
    """{subgroup: {day: value}} of one organisation's indicator over the days; a missing day means 0."""
    rows = OrgDayCount.objects.filter(
        organisation_id=organisation_id, indicator=indicator_id, day__gte=first, day__lte=last
    )
    if prefix:
        rows = rows.filter(subgroup__startswith=prefix)
    series = defaultdict(dict)
    for subgroup, day, value in rows.values_list("subgroup", "day", "value"):
        series[subgroup][day] = value
    return dict(series)


def class_values(*, organisation_id: int, indicator_id: str, day: date) -> dict:
    """{group id: {subgroup: value}} of every class of the organisation on one day."""
    values = defaultdict(dict)
    rows = ClassDayCount.objects.filter(organisation_id=organisation_id, indicator=indicator_id, day=day)
    for group_id, subgroup, value in rows.values_list("group_id", "subgroup", "value"):
        values[group_id][subgroup] = value
    return dict(values)


def distinct_active_users(
    *, organisation_ids, first: date, last: date, role: str | None = None, took_part: bool = False
) -> int:
    """People active in any of the organisations over the days, each counted once (a parent of children in two
    schools is one person). Only as far back as the per-user rows are kept (40 days)."""
    rows = UserDay.objects.filter(organisation_id__in=organisation_ids, day__gte=first, day__lte=last)
    if role is not None:
        bit = UserDay.ROLE_BITS[role]
        rows = rows.annotate(role_bit=F("roles").bitand(bit)).filter(role_bit__gt=0)
    if took_part:
        rows = rows.filter(took_part=True)
    return rows.values("user_id").distinct().count()


def decision_time_quantiles(
    *, organisation_ids, first: date, last: date, quantiles=(0.5, 0.9)
) -> dict[float, int | None]:
    """The upper bound, in hours, of the histogram bucket holding each quantile of join-request decision times
    (None: no decisions, or beyond the last bound)."""
    rows = (
        OrgDayCount.objects.filter(
            organisation_id__in=organisation_ids,
            indicator="join_requests.v1",
            subgroup__startswith="decided.",
            day__gte=first,
            day__lte=last,
        )
        .values("subgroup")
        .annotate(n=Sum("value"))
    )
    counts = {row["subgroup"]: row["n"] for row in rows}
    bounds = [(h, counts.get(f"decided.le_{h}h", 0)) for h in DECISION_HOURS]
    bounds.append((None, counts.get(f"decided.gt_{DECISION_HOURS[-1]}h", 0)))
    total = sum(n for _, n in bounds)
    result = {}
    for q in quantiles:
        if not total:
            result[q] = None
            continue
        seen = 0
        for bound, n in bounds:
            seen += n
            if seen >= q * total:
                result[q] = bound
                break
    return result
