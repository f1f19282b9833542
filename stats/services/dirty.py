"""Backdated changes: a change dated inside days already filled marks those days for recount."""

from datetime import datetime, timedelta

from django.utils import timezone

from orgs.models import Organisation

from ..days import days_between, local_day
from ..models import DirtyDay, FillState
from ..registry import Kind, indicators


def stats_mark_changed(*, organisation_id: int, since: datetime, until: datetime | None = None) -> int:
    """Mark for recount the filled days a change dated `since` affects: that day (up to the day of `until`, for a
    change whose effect reaches later events) for daily totals, that day and every later filled day for end-of-day
    states (snapshots, which carry the change forward). Returns the marks."""
    states = dict(FillState.objects.filter(organisation_id=organisation_id).values_list("indicator", "last_filled_day"))
    if not states:
        return 0
    time_zone = Organisation.objects.filter(pk=organisation_id).values_list("time_zone", flat=True).first()
    if time_zone is None:
        return 0
    first = local_day(since, time_zone)
    reach = first if until is None else max(first, local_day(until, time_zone))
    now = timezone.now()
    marks = []
    for ind in indicators():
        last = states.get(ind.id)
        if last is None or first > last:
            continue
        days = days_between(first, last if ind.kind == Kind.SNAPSHOT else min(reach, last))
        marks += [DirtyDay(indicator=ind.id, organisation_id=organisation_id, day=day, marked_at=now) for day in days]
    # Upsert: a mark already there gets the new time (a recount running now may have read the old data).
    DirtyDay.objects.bulk_create(
        marks, update_conflicts=True, unique_fields=["indicator", "organisation", "day"], update_fields=["marked_at"]
    )
    return len(marks)


BACKDATE_MARGIN = timedelta(minutes=5)


def is_backdated(instant: datetime | None, now: datetime | None = None) -> bool:
    """Whether a time written now lies in the past far enough to fall in a day that may already be filled."""
    return instant is not None and instant < (now or timezone.now()) - BACKDATE_MARGIN
