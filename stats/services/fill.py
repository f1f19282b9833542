"""Filling the statistics tables: one bucket (indicator × organisation × local day) per transaction.

The bucket's rows are deleted and written again, its dirty mark cleared and the fill state advanced in the same
transaction: a crash anywhere leaves the day as it was, and running again writes the same rows. Only days after
the last filled one are computed (plus days marked dirty by a backdated change), so the work follows new events.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from orgs.models import Organisation

from ..days import Bucket, days_between, local_day
from ..models import ClassDayCount, DirtyDay, FillState, OrgDayCount, Presence, UserDay
from ..registry import REGISTRY, Grain, Indicator, indicators
from .lease import lease_acquire, lease_release, lease_renew, new_holder

logger = logging.getLogger(__name__)


class LeaseLost(RuntimeError):
    """Another filler took the lease over (ours ran out): stop before writing anything more."""


@dataclass
class FillReport:
    busy: bool = False
    buckets: int = 0
    recounted: int = 0
    purged: int = 0


def _delete_bucket(indicator: Indicator, bucket: Bucket) -> None:
    if Grain.USER in indicator.grains:
        # UserDay has a single writer (user_days); a new version of it takes the table over.
        UserDay.objects.filter(organisation_id=bucket.organisation_id, day=bucket.day).delete()
        return
    where = {"indicator": indicator.id, "organisation_id": bucket.organisation_id, "day": bucket.day}
    OrgDayCount.objects.filter(**where).delete()
    ClassDayCount.objects.filter(**where).delete()


def _write_bucket(indicator: Indicator, bucket: Bucket, rows) -> None:
    common = {"indicator": indicator.id, "organisation_id": bucket.organisation_id, "day": bucket.day}
    # Zero values are not stored: a missing row reads as 0, and a recount never differs by empty rows.
    OrgDayCount.objects.bulk_create(
        [OrgDayCount(subgroup=subgroup, value=value, **common) for subgroup, value in sorted(rows.org.items()) if value]
    )
    ClassDayCount.objects.bulk_create(
        [
            ClassDayCount(group_id=group_id, subgroup=subgroup, value=value, **common)
            for (group_id, subgroup), value in sorted(rows.classes.items())
            if value
        ]
    )
    UserDay.objects.bulk_create(rows.users)


def _mark_done(indicator: Indicator, bucket: Bucket) -> None:
    # Only a day right after the last filled one advances the state: a recount of an older day, or a backfill
    # beyond a gap, leaves it where it is.
    FillState.objects.filter(
        indicator=indicator.id, organisation_id=bucket.organisation_id, last_filled_day=bucket.day - timedelta(days=1)
    ).update(last_filled_day=bucket.day, updated_at=timezone.now())


def fill_bucket(*, indicator: Indicator, bucket: Bucket) -> None:
    """Write one indicator's rows for one organisation-day, replacing what was there, in one transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Counts derived from the source tables: a crash may lose the last buckets committed, each together with
            # its fill-state step (never half of one), and the next run writes them again. Not waiting for the
            # write-ahead log to reach the disk at every bucket is what makes a backfill of thousands cheap.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        _delete_bucket(indicator, bucket)
        _write_bucket(indicator, bucket, indicator.compute(bucket))
        DirtyDay.objects.filter(indicator=indicator.id, organisation_id=bucket.organisation_id, day=bucket.day).delete()
        _mark_done(indicator, bucket)


def _fill_states(organisation: Organisation, start: date) -> dict[str, FillState]:
    """The organisation's fill state of each indicator, created as "filled up to the day before `start`"."""
    states = {s.indicator: s for s in FillState.objects.filter(organisation=organisation)}
    for ind in indicators():
        if ind.id not in states:
            states[ind.id], _ = FillState.objects.get_or_create(
                indicator=ind.id, organisation=organisation, defaults={"last_filled_day": start - timedelta(days=1)}
            )
    return states


def _fill_days(organisation: Organisation, first: date, last: date, holder: str, report: FillReport, *, force: bool):
    """Fill the days first..last, indicator by indicator within a day (later ones may read earlier ones' rows).
    Without `force`, days an indicator already has are skipped."""
    states = _fill_states(organisation, first)
    for day in days_between(first, last):
        bucket = Bucket(organisation.pk, organisation.time_zone, day)
        for ind in indicators():
            state = states[ind.id]
            if not force and day <= state.last_filled_day:
                continue
            fill_bucket(indicator=ind, bucket=bucket)
            if state.last_filled_day == day - timedelta(days=1):
                state.last_filled_day = day
            report.buckets += 1
        if not lease_renew(holder=holder):
            raise LeaseLost(holder)


def _recount_dirty(organisation: Organisation, holder: str, report: FillReport) -> None:
    order = {ind.id: n for n, ind in enumerate(indicators())}
    states = {s.indicator: s.last_filled_day for s in FillState.objects.filter(organisation=organisation)}
    dirty = sorted(
        DirtyDay.objects.filter(organisation=organisation).values_list("indicator", "day"),
        key=lambda item: (item[1], order.get(item[0], -1)),
    )
    for indicator_id, day in dirty:
        if indicator_id not in order or day > states.get(indicator_id, day - timedelta(days=1)):
            # A retired indicator, or a day not filled yet (the advance will compute it anyway).
            DirtyDay.objects.filter(indicator=indicator_id, organisation=organisation, day=day).delete()
            continue
        fill_bucket(indicator=REGISTRY[indicator_id], bucket=Bucket(organisation.pk, organisation.time_zone, day))
        report.recounted += 1
        if not lease_renew(holder=holder):
            raise LeaseLost(holder)


def purge_expired(*, now: datetime) -> int:
    """Delete rows past their indicator's retention (and seen marks as old as the per-user rows)."""
    today = now.date()
    purged = 0
    for ind in indicators():
        if ind.retention_days is None:
            continue
        cutoff = today - timedelta(days=ind.retention_days)
        if Grain.USER in ind.grains:
            purged += UserDay.objects.filter(day__lt=cutoff).delete()[0]
            purged += Presence.objects.filter(day__lt=cutoff).delete()[0]
        purged += OrgDayCount.objects.filter(indicator=ind.id, day__lt=cutoff).delete()[0]
        purged += ClassDayCount.objects.filter(indicator=ind.id, day__lt=cutoff).delete()[0]
    return purged


def _organisations(organisation_ids=None):
    orgs = Organisation.objects.filter(is_active=True).only("id", "time_zone", "created_at").order_by("pk")
    return orgs if organisation_ids is None else orgs.filter(pk__in=organisation_ids)


def stats_advance(*, now: datetime | None = None) -> FillReport:
    """Fill every indicator of every active organisation up to its last complete local day, then recount the days
    marked dirty, then purge expired rows. Idempotent; returns busy=True when another filler holds the lease."""
    now = now or timezone.now()
    holder, report = new_holder(), FillReport()
    if not lease_acquire(holder=holder):
        return FillReport(busy=True)
    try:
        for organisation in _organisations():
            yesterday = local_day(now, organisation.time_zone) - timedelta(days=1)
            start = local_day(organisation.created_at, organisation.time_zone)
            states = _fill_states(organisation, start)
            first = min(s.last_filled_day for s in states.values()) + timedelta(days=1)
            _fill_days(organisation, first, yesterday, holder, report, force=False)
            _recount_dirty(organisation, holder, report)
        report.purged = purge_expired(now=now)
    finally:
        lease_release(holder=holder)
    logger.info("stats advanced: %s", report)
    return report


def stats_backfill(*, first: date, last: date, organisation_ids=None, now: datetime | None = None) -> FillReport:
    """Recount every indicator for the local days first..last (never past yesterday), replacing what is there."""
    now = now or timezone.now()
    holder, report = new_holder(), FillReport()
    if not lease_acquire(holder=holder):
        return FillReport(busy=True)
    try:
        for organisation in _organisations(organisation_ids):
            yesterday = local_day(now, organisation.time_zone) - timedelta(days=1)
            _fill_days(organisation, first, min(last, yesterday), holder, report, force=True)
    finally:
        lease_release(holder=holder)
    return report
