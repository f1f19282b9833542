"""The purge job, run by a real Celery worker process over Redis against the test database."""

import os
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from celery.result import allow_join_result
from django.db import connection
from django.utils import timezone

from portal.accounts.models import OneTimeCode

ROOT = Path(__file__).resolve().parent.parent
TASK = "portal.accounts.tasks.purge_expired_codes"

# One worker process for the module: under pytest-xdist (`--dist loadgroup`) its tests run in the same process.
pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("celery_worker")]


def _redis_url() -> str:
    return os.environ.get("CELERY_TEST_BROKER_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="module")
def redis_url():
    import redis

    url = _redis_url()
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis недоступен по {url} ({exc}); задайте REDIS_URL, чтобы проверить настоящий worker")
    return url


def _database_url() -> str:
    """The test database as a URL for the worker process (settings read DATABASE_URL)."""
    s = connection.settings_dict
    if connection.vendor != "postgresql":
        pytest.skip(
            "worker в отдельном процессе не видит тестовую базу SQLite в памяти; "
            "тест идёт на PostgreSQL (задайте DATABASE_URL)"
        )
    auth = quote(s["USER"] or "", safe="")
    if s["PASSWORD"]:
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = s["HOST"] or "localhost"
    port = f":{s['PORT']}" if s["PORT"] else ""
    return f"postgres://{auth}@{host}{port}/{quote(s['NAME'], safe='')}"


@pytest.fixture(scope="module")
def queue():
    """A queue of this test alone, so that no other worker on the same Redis takes its task."""
    return f"portal-test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def worker(redis_url, queue, django_db_setup, tmp_path_factory):
    """A `celery -A portal worker` process that consumes the module's queue; always stopped.

    Started once for the module, after the test database exists (django_db_setup).
    """
    tmp_path = tmp_path_factory.mktemp("celery-worker")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PORTAL_DATA_DIR": str(tmp_path / "data"),
    }
    log_path = tmp_path / "worker.log"
    log = log_path.open("wb")
    cmd = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "-l", "info", "-Q", queue,
           "-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat"]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        yield proc, log_path
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()
        _forget_queue(redis_url, queue)


def _forget_queue(redis_url, queue):
    import redis

    client = redis.Redis.from_url(redis_url)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    client.close()


@pytest.fixture(scope="module")
def celery_client(redis_url, queue):
    """A Celery app of its own that sends to Redis, whatever the test settings say."""
    from celery import Celery

    import portal.accounts.tasks  # noqa: F401  (registers the shared task with every app)

    app = Celery("portal-test-client", set_as_current=False)
    app.conf.update(
        broker_url=redis_url,
        result_backend=redis_url,
        task_always_eager=False,
        task_default_queue=queue,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=False,
    )
    yield app
    app.close()


def _code(destination, *, expires_in, used=False):
    now = timezone.now()
    return OneTimeCode.objects.create(
        destination=destination,
        channel=OneTimeCode.Channel.SMS,
        code_hash="not-a-real-hash",
        created_at=now - timedelta(minutes=10),
        expires_at=now + expires_in,
        used_at=now - timedelta(minutes=1) if used else None,
    )


def _run(celery_client, worker, timeout=60):
    proc, log_path = worker
    result = celery_client.tasks[TASK].delay()
    deadline = time.monotonic() + timeout
    while not result.ready():
        if proc.poll() is not None:
            pytest.fail(f"worker завершился с кодом {proc.returncode}:\n{log_path.read_text(errors='replace')}")
        if time.monotonic() > deadline:
            pytest.fail(f"задача не выполнена за {timeout} с; журнал worker:\n{log_path.read_text(errors='replace')}")
        time.sleep(0.2)
    # The test is no task, but Celery's "inside a task" flag is one global of the process: eager tasks sent at once
    # from several threads by earlier tests (tests/concurrency.py) can leave it set, and get() would then refuse.
    with allow_join_result():
        value = result.get(timeout=5)
    result.forget()
    return value


def test_worker_purges_expired_and_used_codes_and_keeps_live_ones(celery_client, worker):
    expired = [_code(f"+7900000010{i}", expires_in=-timedelta(minutes=i + 1)) for i in range(3)]
    used = _code("+79000000200", expires_in=timedelta(minutes=4), used=True)
    live = _code("+79000000300", expires_in=timedelta(minutes=4))

    deleted = _run(celery_client, worker)

    assert deleted == len(expired) + 1
    assert not OneTimeCode.objects.filter(pk__in=[c.pk for c in expired] + [used.pk]).exists()
    assert list(OneTimeCode.objects.values_list("pk", flat=True)) == [live.pk]


def test_worker_purge_is_idempotent(celery_client, worker):
    live = _code("+79000000300", expires_in=timedelta(minutes=4))
    _code("+79000000100", expires_in=-timedelta(minutes=1))

    assert _run(celery_client, worker) == 1
    assert _run(celery_client, worker) == 0
    assert list(OneTimeCode.objects.values_list("pk", flat=True)) == [live.pk]
