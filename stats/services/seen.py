"""«Был на портале сегодня»: one seen mark per person and organisation-day, written at most once a day."""

import math
from datetime import datetime, timedelta

from django.core.cache import cache
from django.utils import timezone

from orgs.models import Membership

from ..days import day_start, local_day
from ..models import Presence

NO_ORGANISATION_RECHECK = timedelta(hours=1)


def _cache_key(user_id: int) -> str:
    return f"stats:seen:{user_id}"


def seen_mark(*, user_id: int, now: datetime | None = None) -> int:
    """Mark the person present today in each organisation they belong to; returns the marks inserted.

    A cache entry lasting until the next local midnight of their organisations makes every later request of the
    day free; when the cache is lost, the unique (organisation, user, day) row makes the insert a no-op."""
    now = now or timezone.now()
    until = cache.get(_cache_key(user_id))
    if until is not None and now.timestamp() < until:
        return 0
    zones = dict(
        Membership.objects.filter(user_id=user_id, valid_to__isnull=True, organisation__is_active=True)
        .order_by()
        .values_list("organisation_id", "organisation__time_zone")
        .distinct()
    )
    marks = [Presence(organisation_id=o, user_id=user_id, day=local_day(now, tz)) for o, tz in zones.items()]
    if marks:
        Presence.objects.bulk_create(marks, ignore_conflicts=True)
    next_check = min(
        (day_start(local_day(now, tz) + timedelta(days=1), tz) for tz in zones.values()),
        default=now + NO_ORGANISATION_RECHECK,
    )
    cache.set(_cache_key(user_id), next_check.timestamp(), timeout=math.ceil((next_check - now).total_seconds()))
    return len(marks)
