"""Days of an organisation: buckets are local calendar days in its time zone (Russia spans UTC+2 … UTC+12)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


class _LocalDay:
    """A local day (`day`) of a time zone (`time_zone`) as a half-open UTC interval [start, end)."""

    day: date
    time_zone: str

    @property
    def start(self) -> datetime:
        return day_start(self.day, self.time_zone)

    @property
    def end(self) -> datetime:
        return day_start(self.day + timedelta(days=1), self.time_zone)


@dataclass(frozen=True)
class Bucket(_LocalDay):
    """One organisation's local day as a half-open UTC interval [start, end)."""

    organisation_id: int
    time_zone: str
    day: date


@dataclass(frozen=True)
class Batch(_LocalDay):
    """Organisations sharing a time zone, on one of their local days: one UTC interval [start, end) for all of
    them, so that an indicator counts the day of every one of them with the same few set-based queries."""

    time_zone: str
    day: date
    organisation_ids: tuple[int, ...]

    def bucket(self, organisation_id: int) -> Bucket:
        return Bucket(organisation_id, self.time_zone, self.day)


def day_start(day: date, time_zone: str) -> datetime:
    """The UTC instant at which the local day begins."""
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(time_zone)).astimezone(UTC)


def local_day(instant: datetime, time_zone: str) -> date:
    return instant.astimezone(ZoneInfo(time_zone)).date()


def days_between(first: date, last: date):
    """Every day from first to last, both included."""
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
