"""PostgreSQL restarted under load: the portal answers a clean 503 meanwhile and recovers by itself.

Real processes: a PostgreSQL cluster of the test's own on a spare loopback port, the portal under gunicorn (the
project's gunicorn.conf.py), a Celery worker and Celery beat with the database scheduler, all against it. While
requests run, the cluster is stopped for a few seconds and started again; nothing of the portal is restarted.
Bounded: at most MAX_REQUESTS requests and LOOP_SECONDS seconds of load, every wait has a timeout.
"""

import json
import re
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.faults import _procs_pg as procs

pytestmark = pytest.mark.faults

DATABASE = "portal_faults"
PAUSE_SECONDS = 3  # the database is away this long
RECOVERY_LIMIT = 10  # seconds after the database is back within which every kind of request succeeds again
LOOP_SECONDS = 90
# PostgreSQL connections time out after 5 s (settings): no request may hang longer than this.
REQUEST_TIMEOUT = 10
MAX_REQUESTS = 2000
SEED_SCRIPT = Path(__file__).with_name("_seed_pg.py")
CLEAN_PAGE = "Портал временно недоступен"
EXPIRED_CODE = (
    "INSERT INTO accounts_onetimecode (destination, channel, code_hash, created_at, expires_at, attempts) "
    "VALUES ('+79990000000', 'sms', 'x', now() - interval '2 days', now() - interval '1 day', 0)"
)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """The cluster with the migrated and seeded portal database, gunicorn, a Celery worker and beat; always torn
    down, the cluster's folder removed."""
    reason = procs.missing_postgres_reason()
    if reason:
        pytest.skip(reason)
    base = tmp_path_factory.mktemp("pg-restart")
    cluster = procs.PostgresCluster()
    services: list[procs.Service] = []
    try:
        cluster.init()
        cluster.start()
        cluster.create_database(DATABASE)
        port = procs.free_port()
        env = procs.portal_env(cluster.url(DATABASE), base / "data", port)
        procs.manage(env, "migrate", "--noinput", "-v", "0")
        seed = json.loads(procs.python(env, str(SEED_SCRIPT)).strip().splitlines()[-1])
        web = procs.gunicorn(env, port, base / "gunicorn.log")
        worker = procs.celery(env, base / "worker.log", "worker", "--pool=solo", "-n", "faults@%h",
                              "--without-gossip", "--without-mingle", "--without-heartbeat")  # fmt: skip
        beat = procs.celery(env, base / "beat.log", "beat", "--scheduler",
                            "django_celery_beat.schedulers:DatabaseScheduler", "--max-interval", "1",
                            "--pidfile", str(base / "beat.pid"))  # fmt: skip
        for service in (web, worker, beat):
            services.append(service)
            service.start()
        procs.wait_until(lambda: _get(port, seed["api"], seed)[0] == 200, 60, "gunicorn отвечает")
        yield {"cluster": cluster, "port": port, "seed": seed, "web": web, "worker": worker, "beat": beat}
    finally:
        for service in reversed(services):
            service.stop()
        cluster.destroy()


def _get(port: int, path: str, seed: dict, timeout: float = 15):
    headers = {"Authorization": f"Token {seed['token']}"} if path.startswith("/api/") else {
        "Cookie": f"sessionid={seed['session']}"}  # fmt: skip
    return procs.http_get(port, path, headers, timeout=timeout)


@dataclass
class Sample:
    at: float  # when the answer came
    took: float
    kind: str
    status: int
    clean: bool
    detail: str


def _judge(kind: str, status: int, headers: dict, body: str) -> tuple[bool, str]:
    """Is a 503 the clean one (Russian page or the API's error shape, Retry-After, no traceback)?"""
    if status != 503:
        return status == 200, body[:200]
    if "Traceback" in body or "Retry-After" not in headers:
        return False, body[:300]
    if kind == "api":
        try:
            error = json.loads(body)["error"]
        except (ValueError, KeyError):
            return False, body[:300]
        return error["code"] == "database_unavailable" and set(error) == {"code", "message", "fields"}, error["message"]
    return CLEAN_PAGE in body and headers.get("Content-Type", "").startswith("text/html"), CLEAN_PAGE


class Load:
    """Two loopback clients, one for a signed-in page and one for the API, until stopped or out of budget."""

    def __init__(self, port: int, seed: dict):
        self.port, self.seed = port, seed
        self.samples: list[Sample] = []
        self.stopping = threading.Event()
        self.started = time.monotonic()
        self.threads = [threading.Thread(target=self._run, args=(kind,), daemon=True) for kind in ("page", "api")]

    def _run(self, kind: str) -> None:
        path = self.seed["page"] if kind == "page" else self.seed["api"]
        while not self.stopping.is_set() and len(self.samples) < MAX_REQUESTS:
            if time.monotonic() - self.started > LOOP_SECONDS:
                break
            sent = time.monotonic()
            try:
                status, headers, body = _get(self.port, path, self.seed, timeout=REQUEST_TIMEOUT)
                clean, detail = _judge(kind, status, headers, body)
            except OSError as error:  # gunicorn itself must keep answering: a refused connection is a failure
                status, clean, detail = 0, False, repr(error)
            self.samples.append(Sample(time.monotonic(), time.monotonic() - sent, kind, status, clean, detail))
            time.sleep(0.05)

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=15)

    def after(self, moment: float, kind: str | None = None) -> list[Sample]:
        return [s for s in list(self.samples) if s.at > moment and (kind is None or s.kind == kind)]


def _warm(load: Load, streak: int = 4) -> bool:
    """Every gunicorn worker has imported the portal: the last requests of each kind were quick successes (the
    first request of a worker loads the URLconf and takes seconds on a busy machine, which is not the fault)."""
    return all(
        len(rows) >= streak and all(s.status == 200 and s.took < 1 for s in rows[-streak:])
        for rows in (load.after(0, "page"), load.after(0, "api"))
    )


def _recovered(load: Load, since: float, streak: int = 5) -> bool:
    """The last `streak` requests of each kind since `since` all succeeded."""
    return all(
        len(rows) >= streak and all(s.status == 200 for s in rows[-streak:])
        for rows in (load.after(since, "page"), load.after(since, "api"))
    )


def test_requests_during_a_restart_get_a_clean_503_and_the_portal_recovers_alone(stack):
    cluster, web = stack["cluster"], stack["web"]
    master = web.proc.pid
    with Load(stack["port"], stack["seed"]) as load:
        procs.wait_until(lambda: _warm(load), 40, "все процессы gunicorn прогреты")
        down = time.monotonic()
        cluster.stop("fast")
        time.sleep(PAUSE_SECONDS)
        cluster.start()
        up = time.monotonic()
        procs.wait_until(lambda: _recovered(load, up), RECOVERY_LIMIT + 10, "портал снова отвечает 200")
        time.sleep(1)
    samples = load.samples

    before = [s for s in samples if s.at < down]
    assert before and all(s.status == 200 for s in before), "до перезапуска всё отвечало 200"
    bad = [s for s in samples if not s.clean]
    assert not bad, f"не 200 и не чистый 503: {[(s.kind, s.status, s.detail) for s in bad[:5]]}"
    unavailable = [s for s in samples if s.status == 503]
    assert unavailable, "ни один запрос не попал на время, пока базы не было: сбой не проверен"
    recovery = {}
    for kind in ("page", "api"):
        first_ok = next(s for s in load.after(up, kind) if s.status == 200)
        recovery[kind] = first_ok.at - up
        assert recovery[kind] < RECOVERY_LIMIT
        # Once a request of this kind succeeded again, every later one does: no worker is left with a dead
        # connection.
        assert all(s.status == 200 for s in load.after(first_ok.at, kind)), kind
    assert web.alive() and web.proc.pid == master, "gunicorn не перезапускали"

    counts = {(s.kind, s.status): 0 for s in samples}
    for s in samples:
        counts[s.kind, s.status] += 1
    print(
        f"\nPostgreSQL away {up - down:.1f} s; {len(samples)} requests: "
        + ", ".join(f"{kind} {status}: {n}" for (kind, status), n in sorted(counts.items()))
        + f"\n503 seen from +{unavailable[0].at - down:.2f} s to +{unavailable[-1].at - down:.2f} s after the stop"
        + f"\nrecovery after PostgreSQL accepted connections again: page {recovery['page']:.2f} s, "
        f"API {recovery['api']:.2f} s; longest request from the stop on {max(s.took for s in load.after(down)):.2f} s",
        file=sys.stderr,
    )


def _codes_left(cluster) -> int:
    return cluster.query(DATABASE, "SELECT count(*) FROM accounts_onetimecode")[0][0]


def _retried_then_succeeded(log: str) -> set[str]:
    """Ids of tasks that failed on the database, were retried and then succeeded."""
    retried = set(re.findall(r"\[([0-9a-f-]{36})\] retry: Retry in .*OperationalError", log))
    return retried & set(re.findall(r"\[([0-9a-f-]{36})\] succeeded", log))


def test_celery_worker_and_beat_carry_on_after_the_restart(stack):
    """Beat sends the purge every second, the worker runs it: an expired code disappears before and after a
    restart of the database, with neither Celery process restarted; a run that hit the outage is retried."""
    cluster, worker, beat = stack["cluster"], stack["worker"], stack["beat"]
    cluster.query(DATABASE, EXPIRED_CODE)
    procs.wait_until(lambda: _codes_left(cluster) == 0, 30, "worker удаляет истёкший код до перезапуска")

    beat_log, worker_log = len(beat.log()), len(worker.log())
    cluster.stop("fast")
    time.sleep(PAUSE_SECONDS)
    cluster.start()
    up = time.monotonic()
    cluster.query(DATABASE, EXPIRED_CODE)
    procs.wait_until(lambda: _codes_left(cluster) == 0, 30, "worker удаляет истёкший код после перезапуска")
    recovery = time.monotonic() - up

    assert worker.alive() and beat.alive(), "worker и beat работают без перезапуска"
    assert "Sending due task faults-probe" in beat.log()[beat_log:]
    assert "succeeded" in worker.log()[worker_log:]
    retried = procs.wait_until(lambda: _retried_then_succeeded(worker.log()[worker_log:]), 90,
                               "запуск, попавший на сбой, повторён и выполнен")  # fmt: skip
    assert retried
    print(f"\nCelery: an expired code was purged {recovery:.2f} s after PostgreSQL came back", file=sys.stderr)
