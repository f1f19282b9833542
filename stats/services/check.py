"""Is the statistics up to date? For the monitoring command and the dashboard's notice."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from orgs.models import Organisation

from ..days import day_start, local_day
from ..models import DirtyDay, FillState
from ..registry import indicators

# After local midnight the job has this long to fill the day that ended.
GRACE = timedelta(hours=1)


@dataclass(frozen=True)
class Lag:
    organisation: str
    indicator: str
    last_filled_day: date | None
    expected_day: date


def expected_last_day(time_zone: str, now: datetime) -> date:
    """The last local day that should be filled by now: yesterday, or the day before within the grace period."""
    today = local_day(now, time_zone)
    return today - timedelta(days=1 if now >= day_start(today, time_zone) + GRACE else 2)


def stats_lags(*, now: datetime | None = None) -> tuple[list[Lag], int]:
    """The (organisation, indicator) pairs filled less far than they should be, and the count of dirty days
    waiting longer than the grace period."""
    now = now or timezone.now()
    states = {(s.organisation_id, s.indicator): s.last_filled_day for s in FillState.objects.all()}
    lags = []
    for organisation in Organisation.objects.filter(is_active=True).order_by("pk"):
        expected = expected_last_day(organisation.time_zone, now)
        if local_day(organisation.created_at, organisation.time_zone) > expected:
            continue  # nothing to fill yet
        for ind in indicators():
            last = states.get((organisation.pk, ind.id))
            if last is None or last < expected:
                lags.append(Lag(organisation.short_name, ind.id, last, expected))
    waiting = DirtyDay.objects.filter(marked_at__lt=now - GRACE).count()
    return lags, waiting
