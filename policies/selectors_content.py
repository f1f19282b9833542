"""Reads of the policies app that pages, the API and the statistics share."""

import datetime
from zoneinfo import ZoneInfo

from django.db.models import Sum
from django.utils import timezone

from .models import ContentRefusalCount


def refusals_by_day(organisation, *, days: int = 30) -> list[dict]:
    """The organisation's refusals of its last `days` days (its own calendar), newest first: day, rule, count."""
    today = timezone.localdate(timezone.now(), ZoneInfo(organisation.time_zone))
    since = today - datetime.timedelta(days=days - 1)
    labels = dict(ContentRefusalCount.Rule.choices)
    rows = (
        ContentRefusalCount.objects.filter(organisation=organisation, day__gte=since)
        .values("day", "rule")
        .annotate(total=Sum("count"))
        .order_by("-day", "rule")
    )
    return [{**row, "rule_label": str(labels.get(row["rule"], row["rule"]))} for row in rows]
