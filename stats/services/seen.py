"""«Был на портале сегодня» and «писал сегодня»: the per-person day rows (UserDay) written when the person acts, at
most once per person and organisation-day, so that filling a day finds them in place instead of writing them.

A seen mark writes the person's Presence (the source a recount reads) and their day row; a first post of the day
writes the day row's «took part». Each remembers in the cache that today's is written, so every later request or
post of the day costs no query; when the cache is lost, the unique (organisation, user, day) rows make the writes
no-ops. The roles written are those held at the moment; filling the day sets the roles held at its end."""

import math
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from orgs.models import Membership, Organisation
from portal.sql import fetch_rows, insert_ignoring

from ..days import day_start, local_day
from ..models import Presence, UserDay

NO_ORGANISATION_RECHECK = timedelta(hours=1)


def _cache_key(user_id: int) -> str:
    return f"stats:seen:{user_id}"


def _memberships_sql() -> str:
    qn = connection.ops.quote_name
    return f"""
        SELECT DISTINCT m.organisation_id, o.time_zone, m.role
        FROM {qn(Membership._meta.db_table)} m JOIN {qn(Organisation._meta.db_table)} o ON o.id = m.organisation_id
        WHERE m.user_id = %s AND m.valid_to IS NULL AND o.is_active
    """  # noqa: S608  (table names from the models, values as parameters)


def _marks_sql(count: int) -> list[str]:
    """The person's Presence rows (left alone when there) and their day rows (`present` set on one there), for
    `count` organisations: one statement on PostgreSQL (the first insert as a CTE), two elsewhere."""
    qn = connection.ops.quote_name
    presence = insert_ignoring(qn(Presence._meta.db_table), ["organisation_id", "user_id", "day"], count)
    rows = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * count)
    day_rows = f"""
        INSERT INTO {qn(UserDay._meta.db_table)} (organisation_id, user_id, day, roles, present, took_part)
        VALUES {rows} ON CONFLICT (organisation_id, user_id, day) DO UPDATE SET present = %s
    """  # noqa: S608  (table names from the models, values as parameters)
    if connection.vendor == "postgresql":
        return [f"WITH presence AS ({presence}) {day_rows}"]
    return [presence, day_rows]


def seen_mark(*, user_id: int, now: datetime | None = None) -> int:
    """Mark the person present today in each organisation they belong to; returns the marks inserted.

    A cache entry lasting until the next local midnight of their organisations makes every later request of the
    day free; when the cache is lost, the unique (organisation, user, day) row makes the insert a no-op. Written
    out (one read, one statement on PostgreSQL): the ORM's building of the read and of the two bulk inserts, each
    in a transaction of its own, cost more than their running on a person's first request of the day."""
    now = now or timezone.now()
    until = cache.get(_cache_key(user_id))
    if until is not None and now.timestamp() < until:
        return 0
    zones, roles = {}, {}
    for organisation_id, time_zone, role in fetch_rows(_memberships_sql(), [user_id]):
        zones[organisation_id] = time_zone
        roles[organisation_id] = roles.get(organisation_id, 0) | UserDay.ROLE_BITS.get(role, 0)
    days = {o: local_day(now, tz) for o, tz in zones.items()}
    if days:
        ops = connection.ops
        dates = {o: ops.adapt_datefield_value(day) for o, day in days.items()}
        presence = [value for o, day in dates.items() for value in (o, user_id, day)]
        day_rows = [value for o, day in dates.items() for value in (o, user_id, day, roles[o], True, False)]
        statements = _marks_sql(len(days))
        with connection.cursor() as cursor:
            if len(statements) == 1:
                cursor.execute(statements[0], [*presence, *day_rows, True])
            else:
                cursor.execute(statements[0], presence)
                cursor.execute(statements[1], [*day_rows, True])
    next_check = min(
        (day_start(day + timedelta(days=1), zones[o]) for o, day in days.items()),
        default=now + NO_ORGANISATION_RECHECK,
    )
    cache.set(_cache_key(user_id), next_check.timestamp(), timeout=math.ceil((next_check - now).total_seconds()))
    return len(days)


def _took_part_key(user_id: int, organisation_id: int) -> str:
    return f"stats:took-part:{organisation_id}:{user_id}"


def _took_part_sql() -> str:
    qn = connection.ops.quote_name
    # One statement: the row with the roles held now, or «took part» set on the row already there. (The SELECT has
    # a WHERE clause, which SQLite needs to read the ON CONFLICT that follows.)
    return f"""
        INSERT INTO {qn(UserDay._meta.db_table)} (organisation_id, user_id, day, roles, present, took_part)
        SELECT %s, %s, %s, COALESCE({UserDay.roles_sql("role")}, 0), %s, %s
        FROM {qn(Membership._meta.db_table)}
        WHERE organisation_id = %s AND user_id = %s AND valid_from < %s AND (valid_to IS NULL OR valid_to >= %s)
        ON CONFLICT (organisation_id, user_id, day) DO UPDATE SET took_part = %s
    """  # noqa: S608  (table names from the models, values as parameters)


def took_part_mark(*, user_id: int, organisation_id: int, time_zone, at: datetime) -> bool:
    """Mark the person as taking part on the local day of `at` (they posted or voted); True when a row was written.

    One query on the person's first post of the day in the organisation, none after it: the cache remembers the
    day's bounds until it ends, so that a later post is recognised without even the organisation's time zone
    (`time_zone` may be a callable, asked only on a miss)."""
    key = _took_part_key(user_id, organisation_id)
    bounds = cache.get(key)
    if bounds is not None and bounds[0] <= at.timestamp() < bounds[1]:
        return False
    time_zone = time_zone() if callable(time_zone) else time_zone
    day = local_day(at, time_zone)
    ops = connection.ops
    instant = ops.adapt_datetimefield_value(at)
    params = (organisation_id, user_id, ops.adapt_datefield_value(day), False, True)
    with connection.cursor() as cursor:
        cursor.execute(_took_part_sql(), (*params, organisation_id, user_id, instant, instant, True))
    start, end = day_start(day, time_zone), day_start(day + timedelta(days=1), time_zone)
    cache.set(key, (start.timestamp(), end.timestamp()), timeout=max(60, math.ceil((end - at).total_seconds())))
    return True
