from datetime import timedelta

import pytest
from django.conf import settings

from stats.models import OrgDayCount
from stats.tasks import advance_statistics

from .helpers import world

pytestmark = pytest.mark.django_db


def test_the_advancing_job_is_scheduled_every_ten_minutes():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == advance_statistics.name)
    assert entry["schedule"].minute == set(range(0, 60, 10))


def test_the_task_fills_the_days_that_ended_and_a_second_run_does_nothing():
    w = world(start=None)
    first = advance_statistics.delay().get()
    assert first["buckets"] > 0 and not first["busy"]
    assert OrgDayCount.objects.filter(organisation=w.organisation, day=w.start + timedelta(days=1)).exists()
    assert advance_statistics.delay().get() == {"busy": False, "buckets": 0, "recounted": 0}
