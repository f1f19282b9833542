import os
from collections import Counter
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.utils import translation

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

REDIS_DATABASES = 16  # Redis's default number of databases


def _redis_database_of_this_worker() -> None:
    """Under pytest-xdist each worker uses a Redis database of its own: the number in REDIS_URL (and
    CELERY_TEST_BROKER_URL) plus the worker's number (gw0 +0, gw1 +1…), as long as it stays below 16; past that
    the workers share the database, which the Redis tests allow (keys under a prefix of their own, a queue of
    their own per module)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw") or not worker[2:].isdigit():
        return
    for name, default in (("REDIS_URL", "redis://127.0.0.1:6379/0"), ("CELERY_TEST_BROKER_URL", None)):
        url = os.environ.get(name) or default
        if not url:
            continue
        parts = urlsplit(url)
        base = parts.path.strip("/") or "0"
        if not base.isdigit() or int(base) + int(worker[2:]) >= REDIS_DATABASES:
            continue
        os.environ[name] = urlunsplit(parts._replace(path=f"/{int(base) + int(worker[2:])}"))


_redis_database_of_this_worker()


def _empty_postgres_tables_by_delete() -> None:
    """A transactional test (the browser tests, the concurrency tests) empties the database after itself. Django
    does it on PostgreSQL with one TRUNCATE of every table, which makes each of the ~110 tables anew on disk: about
    a second and a half per test. A test leaves a few rows in a few tables, so DELETE empties them in milliseconds;
    the foreign keys Django makes on PostgreSQL are checked at commit (DEFERRABLE INITIALLY DEFERRED), so the order
    of the tables does not matter. A flush that must also reset the sequences keeps Django's TRUNCATE."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    truncate = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        if reset_sequences or allow_cascade or not tables:
            return truncate(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        return [f"{style.SQL_KEYWORD('DELETE FROM')} {style.SQL_FIELD(self.quote_name(t))};" for t in tables]

    DatabaseOperations.sql_flush = sql_flush


def pytest_configure(config):
    _empty_postgres_tables_by_delete()


def pytest_collection_modifyitems(items):
    """Every test has a node id of its own, or the run stops.

    schemathesis names the test of each API operation `test_no_server_error[GET /api/v1/…]`, but under pytest 9.2
    its node id lacks the `[…]`: all of tests/test_api_fuzz.py's tests share one id, and pytest-xdist, which
    schedules by id, would run one of them and silently drop the others. The operation goes back into the id.
    """
    counts = Counter(item.nodeid for item in items)
    for item in items:
        prefix = f"{item.originalname}["
        if counts[item.nodeid] > 1 and item.name.startswith(prefix) and item._id.params is None:
            item._id = item._id.with_params(item.name.removeprefix(prefix).removesuffix("]"))
    duplicates = [nodeid for nodeid, n in Counter(item.nodeid for item in items).items() if n > 1]
    if duplicates:
        raise pytest.UsageError(f"tests that share a node id (pytest-xdist would run only one): {duplicates[:5]}")


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


@pytest.fixture(autouse=True)
def _language_back():
    """A request with the English language cookie leaves English active for the thread (the locale middleware
    activates it); a test that runs after it in the same worker and calls a service directly expects the Russian
    interface again."""
    language = translation.get_language()
    yield
    translation.activate(language)
