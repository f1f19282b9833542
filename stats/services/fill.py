"""Filling the statistics tables: one batch (indicator × local day × the organisations of one time zone) per
transaction.

The batch's rows are deleted and written again, its dirty marks cleared and the fill states advanced in the same
transaction: a crash anywhere leaves the day as it was, and running again writes the same rows. Only days after
the last filled one are computed (plus days marked dirty by a backdated change), so the work follows new events;
and a day of a whole district costs each indicator a few set-based queries, not a few per school.
"""

import logging
import queue
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from orgs.models import Organisation
from portal.sql import insert_rows

from ..days import Batch, days_between, local_day
from ..models import ClassDayCount, DirtyDay, FillState, OrgDayCount, Presence, UserDay
from ..registry import BatchRows, Grain, Indicator, indicators
from .lease import lease_acquire, lease_release, lease_renew, new_holder

logger = logging.getLogger(__name__)

# Memory a batch's sorts and hash tables may take on PostgreSQL, for its own transaction only.
WORK_MEM = "64MB"
# The planner's cost of a page read out of order, relative to one in sequence (1.0): what it is on solid-state
# storage and for pages in memory (PostgreSQL's default, 4, describes spinning disks).
RANDOM_PAGE_COST = 1.1
# Organisations counted together at most: bounds the memory of one batch's rows in a region of thousands.
BATCH_SIZE = 250


class LeaseLost(RuntimeError):
    """Another filler took the lease over (ours ran out): stop before writing anything more."""


@dataclass
class FillReport:
    busy: bool = False
    buckets: int = 0  # indicator × organisation × day written in order
    recounted: int = 0  # the same, recounted because a backdated change marked them
    purged: int = 0


def _delete_batch(indicator: Indicator, batch: Batch) -> None:
    where = {"organisation_id__in": batch.organisation_ids, "day": batch.day}
    if Grain.USER in indicator.grains:
        # UserDay has a single writer (user_days); a new version of it takes the table over.
        UserDay.objects.filter(**where).delete()
        return
    OrgDayCount.objects.filter(indicator=indicator.id, **where).delete()
    ClassDayCount.objects.filter(indicator=indicator.id, **where).delete()


def _insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Plain rows, not model instances: a district's day is tens of thousands of rows, and building an instance for
    each costs more than the database's work."""
    insert_rows(model._meta.db_table, columns, rows)


def _write_batch(indicator: Indicator, batch: Batch, rows: BatchRows) -> None:
    org_counts, class_counts = [], []
    day = connection.ops.adapt_datefield_value(batch.day)
    # Zero values are not stored: a missing row reads as 0, and a recount never differs by empty rows.
    for organisation_id, org_rows in sorted(rows.items()):
        org_counts += [
            (organisation_id, indicator.id, subgroup, day, value)
            for subgroup, value in sorted(org_rows.org.items())
            if value
        ]
        class_counts += [
            (organisation_id, group_id, indicator.id, subgroup, day, value)
            for (group_id, subgroup), value in sorted(org_rows.classes.items())
            if value
        ]
    _insert(OrgDayCount, ("organisation_id", "indicator", "subgroup", "day", "value"), org_counts)
    _insert(ClassDayCount, ("organisation_id", "group_id", "indicator", "subgroup", "day", "value"), class_counts)


def _mark_done(indicator: Indicator, batch: Batch) -> None:
    # Only a day right after the last filled one advances the state: a recount of an older day, or a backfill
    # beyond a gap, leaves it where it is.
    FillState.objects.filter(
        indicator=indicator.id,
        organisation_id__in=batch.organisation_ids,
        last_filled_day=batch.day - timedelta(days=1),
    ).update(last_filled_day=batch.day, updated_at=timezone.now())


def planner_settings(cursor) -> None:
    """How PostgreSQL plans a batch's reads, for the current transaction only (the benchmark plans its baseline with
    the same)."""
    # A district's day is aggregated in one go (a month of per-user rows for the distinct counts): with the default
    # 4 MB the hash tables spill to disk, which doubles the time.
    cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
    # Compiling these queries (estimated dear, run once) costs more than it saves: up to 0.7 s a query.
    cursor.execute("SET LOCAL jit = off")
    # The day's messages are found through their (chat, created_at) index, a few pages per chat; with the default
    # cost of a random read (4 × a sequential one, a spinning disk's) the planner prefers reading the whole table —
    # months of messages, a gigabyte in a district — for one day's rows.
    cursor.execute(f"SET LOCAL random_page_cost = {RANDOM_PAGE_COST}")


def fill_batch(*, indicator: Indicator, batch: Batch, first: bool = False) -> None:
    """Write one indicator's rows for the batch's organisations and day, replacing what was there, in one
    transaction. `first`: the day is filled for the first time (not a recount nor a backfill), and an indicator
    with an `advance` completes the rows written as the events happened instead of writing them anew."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Counts derived from the source tables: a crash may lose the last batches committed, each together with
            # its fill-state step (never half of one), and the next run writes them again. Not waiting for the
            # write-ahead log to reach the disk at every batch is what makes a backfill of thousands cheap.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
                planner_settings(cursor)
        if first and indicator.advance is not None:
            _write_batch(indicator, batch, indicator.advance(batch))
        else:
            _delete_batch(indicator, batch)
            _write_batch(indicator, batch, indicator.compute(batch))
        DirtyDay.objects.filter(
            indicator=indicator.id, organisation_id__in=batch.organisation_ids, day=batch.day
        ).delete()
        _mark_done(indicator, batch)


def _batches(day: date, organisations: Iterable[Organisation]) -> list[Batch]:
    """The organisations grouped by time zone (their local day is the same UTC interval), BATCH_SIZE at most."""
    by_zone = defaultdict(list)
    for organisation in organisations:
        by_zone[organisation.time_zone].append(organisation.pk)
    return [
        Batch(zone, day, tuple(ids[n : n + BATCH_SIZE]))
        for zone, ids in sorted(by_zone.items())
        for n in range(0, len(ids), BATCH_SIZE)
    ]


def _fill_states(organisations: list[Organisation], start: dict[int, date]) -> dict[tuple[str, int], date]:
    """Each (indicator, organisation)'s last filled day; a missing state is created as "filled up to the day
    before the organisation's `start`"."""
    ids = [o.pk for o in organisations]
    states = {
        (s.indicator, s.organisation_id): s.last_filled_day for s in FillState.objects.filter(organisation_id__in=ids)
    }
    missing = [
        FillState(indicator=ind.id, organisation_id=pk, last_filled_day=start[pk] - timedelta(days=1))
        for ind in indicators()
        for pk in ids
        if (ind.id, pk) not in states
    ]
    if missing:
        FillState.objects.bulk_create(missing, ignore_conflicts=True)
        states = {
            (s.indicator, s.organisation_id): s.last_filled_day
            for s in FillState.objects.filter(organisation_id__in=ids)
        }
    return states


def _chains(due: list[Indicator]) -> list[list[Indicator]]:
    """The indicators in fill order, as chains that can be filled side by side: one that reads what another wrote
    for the same day (`active_users` reads `user_days`' rows) is in the same chain, after it. The longest chains
    come first, so that they start first."""
    chains: list[list[Indicator]] = []
    of_key: dict[str, list[Indicator]] = {}
    for ind in due:
        chain = next((of_key[key] for key in ind.after if key in of_key), None)
        if chain is None:
            chain = []
            chains.append(chain)
        chain.append(ind)
        of_key[ind.key] = chain
    return sorted(chains, key=len, reverse=True)


class _Lanes:
    """Threads that fill chains of indicators side by side, each thread on a database connection of its own, so
    that the day's large reads of different indicators (messages, memberships, per-person rows) use the server's
    cores at once. Each batch is still one transaction of its own; a day's chains all end before the next day's
    start. Used on PostgreSQL outside a transaction only (see `_lane_count`)."""

    def __init__(self, count: int):
        self.jobs: queue.Queue = queue.Queue()
        self.threads = [threading.Thread(target=self._work, daemon=True) for _ in range(count)]
        for thread in self.threads:
            thread.start()

    def _work(self) -> None:
        try:
            while (job := self.jobs.get()) is not None:
                work, results = job
                try:
                    results.append((True, work()))
                except BaseException as error:  # handed to the caller, which raises it
                    results.append((False, error))
                finally:
                    self.jobs.task_done()
        finally:
            self.jobs.task_done()
            connection.close()

    def run(self, works: list) -> list:
        """Run the callables on the lanes; their results in order, or the first error raised."""
        results: list[list] = [[] for _ in works]  # each gets one (ok, result or error) from its lane
        for work, result in zip(works, results, strict=True):
            self.jobs.put((work, result))
        self.jobs.join()
        outcomes = [result[0] for result in results]
        for ok, value in outcomes:
            if not ok:
                raise value
        return [value for _ok, value in outcomes]

    def close(self) -> None:
        for _thread in self.threads:
            self.jobs.put(None)
        for thread in self.threads:
            thread.join()


def _lane_count() -> int:
    """How many chains are filled at once: `STATS_FILL_LANES` on PostgreSQL outside a transaction (each lane has
    a connection of its own, which would not see an outer transaction's rows); one elsewhere."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return 1
    return max(1, getattr(settings, "STATS_FILL_LANES", 1))


def _fill_chain(chain: list[Indicator], day: date, due: dict[str, list[Organisation]], holder: str, force: bool):
    """Fill the chain's indicators for the day, in order; returns (indicator id, organisation ids) of each batch."""
    filled = []
    for ind in chain:
        for batch in _batches(day, due[ind.id]):
            fill_batch(indicator=ind, batch=batch, first=not force)
            filled.append((ind.id, batch.organisation_ids))
            if not lease_renew(holder=holder):
                raise LeaseLost(holder)
    return filled


def _fill_days(organisations, first: dict[int, date], last: dict[int, date], holder: str, report: FillReport, *,
               force: bool, states: dict[tuple[str, int], date] | None = None) -> None:  # fmt: skip
    """Fill each organisation's days first..last, day by day and indicator by indicator within a day (later ones
    may read earlier ones' rows). Without `force`, days an indicator already has are skipped. `states` are the
    fill states if the caller has read them already."""
    organisations = [o for o in organisations if first[o.pk] <= last[o.pk]]
    if not organisations:
        return
    if states is None:
        states = _fill_states(organisations, first)
    count = _lane_count()
    lanes = _Lanes(count) if count > 1 else None
    try:
        for day in days_between(min(first.values()), max(last.values())):
            due = {
                ind.id: [
                    o
                    for o in organisations
                    if first[o.pk] <= day <= last[o.pk] and (force or day > states[ind.id, o.pk])
                ]
                for ind in indicators()
            }
            chains = _chains([ind for ind in indicators() if due[ind.id]])
            works = [partial(_fill_chain, chain, day, due, holder, force) for chain in chains]
            results = lanes.run(works) if lanes and len(works) > 1 else [work() for work in works]
            for filled in results:
                for indicator_id, organisation_ids in filled:
                    report.buckets += len(organisation_ids)
                    for pk in organisation_ids:
                        if states[indicator_id, pk] == day - timedelta(days=1):
                            states[indicator_id, pk] = day
    finally:
        if lanes:
            lanes.close()


def _recount_dirty(organisations: list[Organisation], holder: str, report: FillReport) -> None:
    order = {ind.id: n for n, ind in enumerate(indicators())}
    by_id = {o.pk: o for o in organisations}
    states = {
        (s.indicator, s.organisation_id): s.last_filled_day for s in FillState.objects.filter(organisation_id__in=by_id)
    }
    due, stale = defaultdict(list), []
    for mark in DirtyDay.objects.filter(organisation_id__in=by_id):
        filled = states.get((mark.indicator, mark.organisation_id))
        if mark.indicator not in order or filled is None or mark.day > filled:
            stale.append(mark.pk)  # a retired indicator, or a day not filled yet (the advance will compute it)
        else:
            due[mark.day, order[mark.indicator]].append(by_id[mark.organisation_id])
    DirtyDay.objects.filter(pk__in=stale).delete()
    indicator_list = indicators()
    for day, n in sorted(due):
        for batch in _batches(day, due[day, n]):
            fill_batch(indicator=indicator_list[n], batch=batch)
            report.recounted += len(batch.organisation_ids)
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
        if Grain.ORGANISATION in ind.grains or Grain.CLASS in ind.grains:
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
        organisations = list(_organisations())
        start = {o.pk: local_day(o.created_at, o.time_zone) for o in organisations}
        states = _fill_states(organisations, start)
        first = {o.pk: min(states[ind.id, o.pk] for ind in indicators()) + timedelta(days=1) for o in organisations}
        last = {o.pk: local_day(now, o.time_zone) - timedelta(days=1) for o in organisations}
        _fill_days(organisations, first, last, holder, report, force=False, states=states)
        _recount_dirty(organisations, holder, report)
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
        organisations = list(_organisations(organisation_ids))
        firsts = {o.pk: first for o in organisations}
        lasts = {o.pk: min(last, local_day(now, o.time_zone) - timedelta(days=1)) for o in organisations}
        _fill_days(organisations, firsts, lasts, holder, report, force=True)
    finally:
        lease_release(holder=holder)
    return report
