"""Reads of the statistics tables shared by the dashboard, exports and jobs. They take organisations the caller
may already see (permission checks belong to the views); they never read the source tables (only the names of the
classes the counts are about, `class_names`)."""

from collections import defaultdict
from datetime import date, datetime
from fractions import Fraction

from django.db.models import Count, F, Q, Sum

from orgs.models import Group

from .collectors.events import DECISION_HOURS
from .models import ClassDayCount, FillState, MonthlyReport, OrgDayCount, UserDay


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
    return histogram_quantiles({row["subgroup"]: row["n"] for row in rows}, quantiles)


def histogram_quantiles(counts: dict[str, int], quantiles=(0.5, 0.9)) -> dict[float, int | None]:
    """From decision-time bucket counts ({"decided.le_8h": n, …, "decided.gt_720h": n}): the upper bound, in
    hours, of the bucket holding each quantile (the nearest-rank one: the median of 5 is the 3rd); None when
    nothing was decided or the quantile lies beyond the last bound. The resolution is the bucket's, no finer."""
    bounds = [(h, counts.get(f"decided.le_{h}h", 0)) for h in DECISION_HOURS]
    bounds.append((None, counts.get(f"decided.gt_{DECISION_HOURS[-1]}h", 0)))
    total = sum(n for _, n in bounds)
    result = {}
    for q in quantiles:
        result[q] = None
        seen, rank = 0, Fraction(str(q)) * total  # exact: 0.9 × 70 is 63, not 63.00000000000001
        for bound, n in bounds if total else ():
            seen += n
            if seen >= rank:
                result[q] = bound
                break
    return result


# --- The dashboard's reads: a fixed number of queries, whatever the number of classes or days -----------------


def org_counts(*, organisation_id: int, indicator_ids, first: date, last: date) -> dict:
    """{(indicator, subgroup): {day: value}} of the organisation's indicators over the days, in one query."""
    rows = OrgDayCount.objects.filter(
        organisation_id=organisation_id, indicator__in=list(indicator_ids), day__gte=first, day__lte=last
    )
    series = defaultdict(dict)
    for indicator, subgroup, day, value in rows.values_list("indicator", "subgroup", "day", "value"):
        series[(indicator, subgroup)][day] = value
    return dict(series)


def class_counts(*, organisation_id: int, group_ids, indicator_ids, first: date, last: date) -> dict:
    """{(indicator, subgroup): {day: value summed over the classes}}, in one query."""
    rows = (
        ClassDayCount.objects.filter(
            organisation_id=organisation_id,
            group_id__in=list(group_ids),
            indicator__in=list(indicator_ids),
            day__gte=first,
            day__lte=last,
        )
        .values("indicator", "subgroup", "day")
        .annotate(total=Sum("value"))
        .order_by()
    )
    series = defaultdict(dict)
    for row in rows:
        series[(row["indicator"], row["subgroup"])][row["day"]] = row["total"]
    return dict(series)


def class_day_values(*, organisation_id: int, group_ids=None, indicator_ids, day: date) -> dict:
    """{group id: {(indicator, subgroup): value}} of the classes on one day (every class when group_ids is None)."""
    rows = ClassDayCount.objects.filter(organisation_id=organisation_id, indicator__in=list(indicator_ids), day=day)
    if group_ids is not None:
        rows = rows.filter(group_id__in=list(group_ids))
    values = defaultdict(dict)
    for group_id, indicator, subgroup, value in rows.values_list("group_id", "indicator", "subgroup", "value"):
        values[group_id][(indicator, subgroup)] = value
    return dict(values)


def last_meaningful_days(*, organisation_id: int, group_ids=None, first: date, last: date) -> dict[int, date]:
    """{group id: the last day with a message that is not trivial} within the days, in one query."""
    rows = ClassDayCount.objects.filter(
        organisation_id=organisation_id,
        indicator="activity.v1",
        subgroup__in=("messages", "messages.trivial"),
        day__gte=first,
        day__lte=last,
    )
    if group_ids is not None:
        rows = rows.filter(group_id__in=list(group_ids))
    per_day = defaultdict(int)
    for group_id, subgroup, day, value in rows.values_list("group_id", "subgroup", "day", "value"):
        per_day[(group_id, day)] += value if subgroup == "messages" else -value
    result = {}
    for (group_id, day), meaningful in per_day.items():
        if meaningful > 0 and (group_id not in result or result[group_id] < day):
            result[group_id] = day
    return result


def fill_state(*, organisation_id: int, indicator_ids) -> tuple[date | None, datetime | None]:
    """(the last day every indicator is filled to, when the filling last wrote), in one query; the day is None
    while some indicator was never filled."""
    wanted = set(indicator_ids)
    states = list(
        FillState.objects.filter(organisation_id=organisation_id, indicator__in=wanted).values_list(
            "last_filled_day", "updated_at"
        )
    )
    if not states:
        return None, None
    updated = max(at for _, at in states)
    if len(states) < len(wanted):
        return None, updated
    return min(day for day, _ in states), updated


def class_names(*, organisation_id: int, group_ids) -> dict[int, str]:
    """The names of the classes the counts are about (the one read outside the statistics tables), in one query."""
    rows = Group.objects.filter(organisation_id=organisation_id, pk__in=list(group_ids))
    return dict(rows.values_list("pk", "name"))


def monthly_reports(*, organisation_id: int | None = None, area_id: int | None = None):
    """An organisation's monthly reports, or an area's, newest month first (callers checked the right to read them)."""
    if area_id is not None:
        reports = MonthlyReport.objects.filter(area_id=area_id, kind=MonthlyReport.Kind.AREA)
    else:
        reports = MonthlyReport.objects.filter(organisation_id=organisation_id, kind=MonthlyReport.Kind.ORGANISATION)
    return reports.order_by("-month", "-pk")


# --- The municipality roll-up: one query each, whatever the number of organisations -------------------------------


def fill_days(*, organisation_ids, indicator_ids) -> dict[int, date | None]:
    """{organisation id: the last day every indicator is filled to (None while one never was)}, in one query."""
    wanted = set(indicator_ids)
    filled = defaultdict(dict)
    rows = FillState.objects.filter(organisation_id__in=list(organisation_ids), indicator__in=wanted)
    for organisation_id, indicator, day in rows.values_list("organisation_id", "indicator", "last_filled_day"):
        filled[organisation_id][indicator] = day
    return {pk: min(filled[pk].values()) if set(filled.get(pk, {})) == wanted else None for pk in organisation_ids}


def orgs_values_on(*, organisation_ids, keys, day: date) -> dict[int, dict[tuple[str, str], int]]:
    """{organisation id: {(indicator, subgroup): value}} of the organisations on one day, in one query."""
    keys = list(keys)
    rows = OrgDayCount.objects.filter(
        organisation_id__in=list(organisation_ids),
        indicator__in={indicator for indicator, _ in keys},
        subgroup__in={subgroup for _, subgroup in keys},
        day=day,
    )
    values = defaultdict(dict)
    for organisation_id, indicator, subgroup, value in rows.values_list(
        "organisation_id", "indicator", "subgroup", "value"
    ):
        if (indicator, subgroup) in keys:
            values[organisation_id][(indicator, subgroup)] = value
    return dict(values)


def orgs_sums(*, organisation_ids, indicator_id: str, subgroups, first: date, last: date) -> dict[int, dict]:
    """{organisation id: {subgroup: the sum over the days}} of an additive indicator, in one query."""
    rows = (
        OrgDayCount.objects.filter(
            organisation_id__in=list(organisation_ids),
            indicator=indicator_id,
            subgroup__in=list(subgroups),
            day__gte=first,
            day__lte=last,
        )
        .values("organisation_id", "subgroup")
        .annotate(total=Sum("value"))
        .order_by()
    )
    sums = defaultdict(dict)
    for row in rows:
        sums[row["organisation_id"]][row["subgroup"]] = row["total"]
    return dict(sums)


def distinct_active_by_role(*, organisation_ids, first: date, last: date, roles) -> dict[str, int]:
    """{role: people active in any of the organisations over the days, each counted once}, in one query: a parent
    of children in two schools of a municipality is one parent of the municipality."""
    rows = UserDay.objects.filter(organisation_id__in=list(organisation_ids), day__gte=first, day__lte=last)
    rows = rows.annotate(**{f"bit_{role}": F("roles").bitand(UserDay.ROLE_BITS[role]) for role in roles})
    return rows.aggregate(**{role: Count("user", distinct=True, filter=Q(**{f"bit_{role}__gt": 0})) for role in roles})
