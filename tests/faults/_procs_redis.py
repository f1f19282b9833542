"""Real processes for the fault tests: a Redis server of the test's own, Celery workers and gunicorn.

Every process is started in its own session (process group), so that a worker and its pool children can be
killed together with SIGKILL, and every start has a matching stop that never waits without a bound.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest

from ._procs import ROOT, Service, free_port, stop_group, wait_until  # noqa: F401 - the tests use them from here

BIN = Path(sys.executable).parent


def database_url(connection) -> str:
    """The test database as a URL for other processes; PostgreSQL only (an in-memory SQLite is not shared)."""
    if connection.vendor != "postgresql":
        pytest.skip("процессы worker и gunicorn не видят тестовую базу SQLite; задайте DATABASE_URL=postgres://…")
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s["PASSWORD"]:
        auth += ":" + quote(s["PASSWORD"], safe="")
    port = f":{s['PORT']}" if s["PORT"] else ""
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}{port}/{quote(s['NAME'], safe='')}"


@dataclass
class RedisServer:
    """`redis-server` on a spare loopback port, without persistence; can be killed and started again."""

    workdir: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> "RedisServer":
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("нет redis-server (apt-get install redis-server)")
        cmd = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
               "--dir", str(self.workdir)]  # fmt: skip
        log = (self.workdir / "redis.log").open("ab")
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        wait_until(self.ping, timeout=10, what=f"redis-server на порту {self.port}")
        return self

    def ping(self) -> bool:
        import redis

        client = redis.Redis(port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def kill(self) -> None:
        """SIGKILL: the server vanishes as in a crash (no persistence, so its queues vanish with it)."""
        if self.proc is not None:
            stop_group(self.proc, signal.SIGKILL, timeout=5)
            self.proc = None


def portal_env(*, database: str, redis: RedisServer, data_dir: Path, mail_dir: Path, **extra: str) -> dict:
    """The environment of a web or worker process of the PostgreSQL/Redis stack, pointed at the test's servers."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DATABASE_URL": database,
        "CACHE_URL": redis.url(2),
        "CELERY_BROKER_URL": redis.url(0),
        "CELERY_RESULT_BACKEND": redis.url(1),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "PORTAL_DATA_DIR": str(data_dir),
        # Django's file-based backend (filemail:/// + an absolute path): letters outlive a killed worker.
        "EMAIL_URL": f"filemail:///{mail_dir.resolve()}",
        "DJANGO_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "DJANGO_DEBUG": "0",
        "LOG_LEVEL": "INFO",
    }
    env.pop("DJANGO_SECURE", None)
    env.update(extra)
    return env


def _spawn(name: str, cmd: list[str], env: dict, log_path: Path) -> Service:
    return Service(name, cmd, env, log_path).start()


def start_worker(env: dict, log_path: Path, *, beat: bool = False) -> Service:
    """`celery -A portal worker` as in production (prefork), one pool process; with beat embedded if asked."""
    cmd = [str(BIN / "celery"), "-A", "portal", "worker", "-l", "info", "--concurrency=1", "--without-gossip",
           "--without-mingle", "-n", f"fault-{log_path.stem}@%h"]  # fmt: skip
    if beat:
        cmd += ["-B", "-s", str(log_path.with_suffix(".beat-schedule"))]
    worker = _spawn("celery worker", cmd, env, log_path)
    wait_until(lambda: "ready." in worker.log() or not worker.alive(), timeout=60, interval=0.2, what="worker ready")
    if not worker.alive():
        pytest.fail(f"worker не запустился:\n{worker.log()}")
    return worker


def start_gunicorn(env: dict, log_path: Path) -> tuple[Service, str]:
    """gunicorn with the project's config on a spare port; returns the process and its base URL.

    One worker process (with its threads), so that a request before the fault warms up the one that answers.
    """
    port = free_port()
    env = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1", "GUNICORN_TIMEOUT": "30"}
    cmd = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "portal.wsgi:application"]
    web = _spawn("gunicorn", cmd, env, log_path)
    base = f"http://127.0.0.1:{port}"

    def healthy():
        if not web.alive():
            pytest.fail(f"gunicorn не запустился:\n{web.log()}")
        try:
            return http(base + "/healthz", timeout=2).status == 200
        except OSError:
            return False

    wait_until(healthy, timeout=60, interval=0.2, what="gunicorn /healthz")
    return web, base


@dataclass
class Answer:
    status: int
    body: bytes
    seconds: float

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def http(url: str, *, method: str = "GET", data: bytes | None = None, headers: dict | None = None,
         timeout: float = 10) -> Answer:  # fmt: skip
    """One request with a bound; an HTTP error status is an answer, not an exception."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Answer(response.status, response.read(), time.monotonic() - started)
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.read(), time.monotonic() - started)


def letters_in(mail_dir: Path) -> list[str]:
    """The letters written by Django's file-based e-mail backend, as raw texts (files hold several each)."""
    letters = []
    for path in sorted(mail_dir.glob("*.log")):
        for chunk in path.read_text(errors="replace").split("-" * 79):
            if chunk.strip():
                letters.append(chunk)
    return letters


def recipients_of(letters: list[str]) -> list[str]:
    return [line[4:].strip() for letter in letters for line in letter.splitlines() if line.startswith("To: ")]


def send_job(redis: RedisServer, name: str, *args) -> None:
    """Queue a job by name on the test's Redis, as beat or a web process would."""
    from celery import Celery

    app = Celery("fault-test-client", broker=redis.url(0), set_as_current=False)
    app.conf.update(task_serializer="json", accept_content=["json"], broker_connection_retry_on_startup=False)
    try:
        app.send_task(name, args=list(args), ignore_result=True)
    finally:
        app.close()
