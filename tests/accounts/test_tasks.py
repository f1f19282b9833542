"""The periodic purge of one-time codes, run through Celery in eager mode."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.accounts.models import OneTimeCode
from portal.accounts.tasks import purge_expired_codes
from portal.celery import app

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager():
    saved = {key: app.conf[key] for key in ("task_always_eager", "task_eager_propagates")}
    app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    app.conf.update(saved)


def test_purge_task_deletes_expired_codes_and_is_safe_to_repeat(eager):
    now = timezone.now()
    live = OneTimeCode.objects.create(
        destination="+79123456780", channel="sms", code_hash="x", expires_at=now + timedelta(minutes=5)
    )
    OneTimeCode.objects.create(
        destination="+79123456781", channel="sms", code_hash="x", expires_at=now - timedelta(seconds=1)
    )
    OneTimeCode.objects.create(
        destination="+79123456782", channel="sms", code_hash="x", expires_at=now + timedelta(minutes=5), used_at=now
    )

    result = purge_expired_codes.delay()
    assert result.successful()
    assert result.get() == 2
    assert list(OneTimeCode.objects.values_list("pk", flat=True)) == [live.pk]
    assert purge_expired_codes.delay().get() == 0


def test_purge_task_is_scheduled():
    from django.conf import settings

    schedule = getattr(settings, "CELERY_BEAT_SCHEDULE", {}) or {}
    assert any(entry["task"] == purge_expired_codes.name for entry in schedule.values())
