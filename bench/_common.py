"""What the benchmarks share: a throw-away PostgreSQL database, gunicorn on loopback, keep-alive clients, percentiles.

Used by bench/redeem.py and bench/messages.py; run those, not this module.
"""

import argparse
import http.client
import json
import math
import os
import runpy
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
DEFAULT_PG = f"postgres://postgres@{HOST}:5432"
DEFAULT_REDIS = f"redis://{HOST}:6379/15"


def served_shape() -> tuple[int, int]:
    """The workers and threads the portal's own gunicorn.conf.py starts on this machine (it reads WEB_CONCURRENCY
    and GUNICORN_THREADS when they are set): by default the benchmarks measure the portal as it is served."""
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    return int(conf["workers"]), int(conf["threads"])


def add_server_args(p, *, concurrency: int, phase_seconds: float) -> None:
    """The options every benchmark takes: the server's shape, the time limit, the database, the output."""
    workers, threads = served_shape()
    p.add_argument("--concurrency", type=int, default=concurrency, help="requests in flight at once")
    p.add_argument(
        "--workers", type=int, default=workers, help=f"gunicorn workers (default: gunicorn.conf.py's, {workers})"
    )
    p.add_argument(
        "--threads",
        type=int,
        default=threads,
        help=f"gunicorn threads per worker (default: gunicorn.conf.py's, {threads})",
    )
    p.add_argument("--phase-seconds", type=float, default=phase_seconds, help="time limit of each measured phase")
    p.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL server (no database)")
    p.add_argument("--keep-db", action="store_true", help="leave the benchmark's database in place after the run")
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    p.add_argument(
        "--worker",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="run a Celery worker (2 processes, as docker-compose does) beside gunicorn on a Redis queue, so that the "
        "jobs the requests queue are done on the same cores while they are measured (default: on)",
    )
    p.add_argument("--redis", default=DEFAULT_REDIS, help="the Redis database of the worker's queue (emptied)")


# ---- database ------------------------------------------------------------------------------------------------


def server_url(pg: str) -> str:
    url = pg.rstrip("/")
    host = url.split("@")[-1].split(":")[0].split("/")[0]
    if host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("The benchmark runs on loopback only: point --pg at 127.0.0.1.")
    return url


def recreate_database(pg: str, db_name: str, *, drop_only=False) -> None:
    """Drop the benchmark's own database (and create it afresh unless drop_only); no other database is touched."""
    import psycopg2

    if not db_name.startswith("portal_bench"):
        raise ValueError(f"refusing to drop {db_name!r}: benchmark databases are named portal_bench*")
    conn = psycopg2.connect(f"{server_url(pg)}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        if not drop_only:
            cur.execute(f'CREATE DATABASE "{db_name}"')
    conn.close()


def bench_env(pg: str, db_name: str, port: int, data_dir: str, broker: str | None = None) -> dict:
    """The environment of the seeding, gunicorn and the worker: the bench database, nothing shared with a dev
    set-up. Without a broker the requests' jobs stay in gunicorn's memory and are never run."""
    return {
        "DATABASE_URL": f"{server_url(pg)}/{db_name}",
        "DJANGO_DEBUG": "False",
        "DJANGO_SECURE": "False",
        "CELERY_BROKER_URL": broker or "memory://localhost/",
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "CACHE_URL": "locmemcache://",
        "EMAIL_URL": "dummymail://",
        "PORTAL_DATA_DIR": data_dir,
        "DJANGO_STATIC_ROOT": str(Path(data_dir) / "static"),  # collectstatic here, never into the checkout
        "PORTAL_BASE_URL": f"http://{HOST}:{port}",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }


def setup_django(env: dict) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# ---- gunicorn ------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start_gunicorn(args, env: dict, port: int, log) -> subprocess.Popen:
    cmd = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "portal.wsgi:application",
        "--config",
        str(ROOT / "bench" / "gunicorn_bench.py"),
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
    ]
    # A session of its own, so that stopping it stops exactly this gunicorn and its workers.
    return subprocess.Popen(
        cmd, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def start_worker(env: dict, log) -> subprocess.Popen:
    cmd = [str(ROOT / ".venv" / "bin" / "celery"), "-A", "portal", "worker", "-l", "WARNING", "--concurrency", "2"]
    cmd += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
    return subprocess.Popen(
        cmd, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def redis_of(url: str):
    import redis

    host = url.split("//", 1)[1].split(":")[0].split("/")[0]
    if host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("The benchmark runs on loopback only: point --redis at 127.0.0.1.")
    return redis.Redis.from_url(url)


def stop_gunicorn(proc: subprocess.Popen | None) -> None:
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=25)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited while starting")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/api/v1/orgs/")
            if conn.getresponse().status in (200, 401, 403):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")


class Run:
    """One benchmark run: its port, data folder, gunicorn log, the clock of its steps and its gunicorn process."""

    def __init__(self, args, db_name: str, extra_env: dict | None = None):
        self.args = args
        self.db_name = db_name
        self.port = free_port()
        self.data_dir = tempfile.mkdtemp(prefix="portal-bench-")
        self.log = open(Path(self.data_dir) / "gunicorn.log", "w+")  # noqa: SIM115 — read back on failure
        self.broker = args.redis if getattr(args, "worker", False) else None
        self.env = {**bench_env(args.pg, db_name, self.port, self.data_dir, self.broker), **(extra_env or {})}
        self.proc = None
        self.worker = None
        self.started = time.monotonic()

    def step(self, text: str) -> None:
        print(f"[{time.monotonic() - self.started:5.1f} s] {text}", flush=True)

    def start_gunicorn(self) -> None:
        self.step(f"starting gunicorn on {HOST}:{self.port}")
        self.proc = start_gunicorn(self.args, self.env, self.port, self.log)
        if self.broker and self.worker is None:
            self.step(f"starting a Celery worker (2 processes) on {self.broker}")
            redis_of(self.broker).flushdb()  # the benchmark's own Redis database: jobs of an earlier run go
            self.worker = start_worker(self.env, self.log)
        wait_ready(self.port, self.proc)

    def stop_gunicorn(self) -> None:
        stop_gunicorn(self.proc)

    def stop_worker(self) -> None:
        stop_gunicorn(self.worker)  # the same: its own session, SIGTERM, then SIGKILL
        self.worker = None

    def drain(self, timeout: float = 300) -> float | None:
        """Wait until the worker has done every job queued so far; the seconds it took (None without a worker).
        Called after a measured phase, so that the jobs it queued do not slow the next phase down."""
        if not self.broker:
            return None
        queue = redis_of(self.broker)
        start = time.monotonic()
        quiet = 0
        while time.monotonic() - start < timeout:
            # Waiting in the queue, or taken by a worker process and not acknowledged yet (kombu's Redis keys).
            waiting = queue.llen("celery") + queue.hlen("unacked")
            quiet = quiet + 1 if waiting == 0 else 0
            if quiet >= 3:
                return max(0.0, time.monotonic() - start - 0.2)
            time.sleep(0.1)
        raise RuntimeError(f"the worker did not finish the queued jobs in {timeout:.0f} s")

    def analyze(self) -> None:
        """Refresh the planner's statistics after a bulk seeding, as autovacuum would on a live database."""
        from django.db import connection

        self.step("analysing the tables")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def log_tail(self, chars: int = 4000) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()[-chars:]


@contextmanager
def bench_run(args, db_name: str, extra_env: dict | None = None, *, reuse: bool = False):
    """Recreate and migrate the database, set Django up on it, and yield a Run; afterwards (also on an error or
    Ctrl-C) stop gunicorn and drop the database unless --keep-db. `extra_env` adds to the environment of both.
    `reuse`: the database kept by an earlier run is only migrated (and kept)."""
    run = Run(args, db_name, extra_env)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally below on a polite kill
    try:
        if reuse:
            run.step(f"reusing database {db_name}, migrating")
        else:
            run.step(f"recreating database {db_name} and migrating")
            recreate_database(args.pg, db_name)
        setup_django(run.env)
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        yield run
    finally:
        run.stop_gunicorn()
        run.stop_worker()
        run.log.close()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # Django was never set up
            pass
        if not args.keep_db and not reuse:
            recreate_database(args.pg, db_name, drop_only=True)


# ---- load ----------------------------------------------------------------------------------------------------


@dataclass
class Phase:
    name: str
    latencies: list = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors: int = 0
    seconds: float = 0.0
    planned: int = 0

    @property
    def done(self) -> int:
        return len(self.latencies)

    def percentile(self, q: float) -> float:
        """Nearest-rank percentile, in milliseconds."""
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))] * 1000

    def summary(self) -> dict:
        return {
            "requests": self.done,
            "planned": self.planned,
            "seconds": round(self.seconds, 2),
            "rps": round(self.done / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(self.percentile(50), 1),
            "p95_ms": round(self.percentile(95), 1),
            "p99_ms": round(self.percentile(99), 1),
            "max_ms": round(max(self.latencies, default=0) * 1000, 1),
            "statuses": dict(sorted(self.statuses.items())),
            "errors": self.errors,
        }


def joined(name: str, parts: list[Phase]) -> Phase:
    """One phase of several measured apart: their requests, statuses and seconds added up. The baseline is measured
    in two halves, before and after what it is compared with, so that a drift of the machine's speed during the
    run (another process waking, the database's own work) weighs on both sides of the ratio alike."""
    whole = Phase(name, planned=sum(p.planned for p in parts))
    for part in parts:
        whole.latencies.extend(part.latencies)
        whole.statuses.update(part.statuses)
        whole.errors += part.errors
        whole.seconds += part.seconds
    return whole


def halves(jobs: list) -> tuple[list, list]:
    return jobs[: len(jobs) // 2], jobs[len(jobs) // 2 :]


def run_phase(name: str, port: int, jobs: list, make_request, concurrency: int, limit_seconds: float) -> Phase:
    """Send the jobs with `concurrency` keep-alive connections; stop at the end of the list or of the time.

    make_request(job) returns (method, path, headers, body)."""
    phase = Phase(name, planned=len(jobs))
    lock = threading.Lock()
    cursor = iter(jobs)
    deadline = time.monotonic() + limit_seconds

    def worker():
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        while time.monotonic() < deadline:
            with lock:
                job = next(cursor, None)
            if job is None:
                break
            method, path, headers, body = make_request(job)
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                elapsed = time.perf_counter() - started
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
                with lock:
                    phase.errors += 1
                continue
            with lock:
                phase.latencies.append(elapsed)
                phase.statuses[response.status] += 1
        conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    phase.seconds = time.perf_counter() - started
    return phase


# ---- report --------------------------------------------------------------------------------------------------


def print_table(rows: list[tuple[str, dict]], width: int = 40) -> None:
    """One line per phase: requests, requests/s, p50/p95/p99 and the statuses seen."""
    print(f"{'':{width}} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  statuses")
    for label, s in rows:
        statuses = " ".join(f"{k}×{v}" for k, v in s["statuses"].items())
        errors = f" errors×{s['errors']}" if s["errors"] else ""
        print(
            f"{label:{width}} {s['requests']:>8} {s['rps']:>8} {s['p50_ms']:>8} {s['p95_ms']:>8} {s['p99_ms']:>8}  "
            f"{statuses}{errors}"
        )


def finish(args, figures: dict, problems: list[str]) -> int:
    """Write the figures and the problems to --json if asked, print the problems; the exit status."""
    if args.json:
        args.json.write_text(json.dumps({**figures, "problems": problems}, ensure_ascii=False, default=str, indent=2))
    if problems:
        print("FAILED: " + "; ".join(problems))
        return 1
    return 0


def ratio(measured: dict, baseline: dict) -> dict:
    """Throughput and p95 latency of a phase against the baseline's (a throughput below 1 is slower)."""
    return {
        "throughput": round(measured["rps"] / baseline["rps"], 2) if baseline["rps"] else None,
        "p95": round(measured["p95_ms"] / baseline["p95_ms"], 2) if baseline["p95_ms"] else None,
    }


def seed_school(full_name: str, house: int, **class_fields):
    """A school with its staff group, the current year and class 5А (after setup_django); returns (school, 5А)."""
    from orgs.models import AcademicYear, Group, Organisation

    org = Organisation.objects.create(
        kind="school",
        full_name=full_name,
        short_name="Школа нагрузочного теста",
        address=f"г. Тестов, ул. Нагрузочная, д. {house}",
        region="Тестовая область",
        municipality="Тестовый район",
    )
    Group.objects.create(organisation=org, kind=Group.Kind.STAFF, name=org.vocabulary.staff_group)
    year = AcademicYear.objects.create(
        organisation=org, name="2026/2027", starts_on="2026-09-01", ends_on="2027-05-31", is_current=True
    )
    cls = Group.objects.create(
        organisation=org, kind=Group.Kind.CLASS, name="5А", grade=5, letter="А", academic_year=year, **class_fields
    )
    return org, cls
