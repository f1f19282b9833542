import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _media_and_mail(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.OTP_SMS_SENDER = "portal.accounts.senders.OutboxSmsSender"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.CELERY_TASK_ALWAYS_EAGER = True
    # The daily seen mark writes on a person's first request of the day: pages' query counts would depend on
    # test order. tests/stats/test_seen.py turns it back on.
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "stats.middleware.SeenTodayMiddleware"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()
    # Argon2 is deliberately slow; the tests check behaviour, not hashing strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from portal.accounts.senders import OutboxSmsSender

    OutboxSmsSender.outbox.clear()


@pytest.fixture
def sms_outbox():
    from portal.accounts.senders import OutboxSmsSender

    return OutboxSmsSender.outbox


@pytest.fixture
def api():
    from rest_framework.test import APIClient

    return APIClient()
