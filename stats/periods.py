"""The period of figures asked for (?from=&to=): local days of the organisation, at most a year, checked with
messages in Russian that name the field (the API's 400, the page's error beside the field)."""

from datetime import date, timedelta

from django.utils.translation import gettext as _

from portal.exceptions import RuleViolation

MAX_DAYS = 366
DEFAULT_DAYS = 30
# Dates far outside these years are typing errors (and 0001-01-01 minus a month is no date at all).
FIRST_YEAR, LAST_YEAR = 2000, 2100


def parse_day(value: str | None, field: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        message = _("Дата в формате ГГГГ-ММ-ДД, например 2026-09-01.")
        raise RuleViolation(message, code="invalid", fields={field: [message]}) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        message = _("Дата должна быть между %(first)s и %(last)s годом.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
        raise RuleViolation(message, code="invalid", fields={field: [message]})
    return day


def parse_period(first: str | None, last: str | None, default_last: date) -> tuple[date, date]:
    """(first, last) of ?from=&to=; without them the 30 days up to default_last. RuleViolation when wrong."""
    last_day = parse_day(last, "to") or default_last
    first_day = parse_day(first, "from") or last_day - timedelta(days=DEFAULT_DAYS - 1)
    if first_day > last_day:
        message = _("Начало периода позже его конца.")
        raise RuleViolation(message, code="invalid", fields={"from": [message]})
    if (last_day - first_day).days + 1 > MAX_DAYS:
        message = _("Период не может быть длиннее %(days)s дней.") % {"days": MAX_DAYS}
        raise RuleViolation(message, code="invalid", fields={"from": [message]})
    return first_day, last_day
