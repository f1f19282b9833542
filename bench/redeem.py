"""Benchmark of invite redemption under concurrency: gunicorn + PostgreSQL, loopback only, bounded.

    .venv/bin/python bench/redeem.py [--users 400 --single 150 --multi-uses 50 --concurrency 16]

It (1) recreates the throw-away database `portal_bench` and migrates it, (2) seeds one organisation with a class,
N single-use student invites, one multi-use invite and M users with API tokens, (3) starts gunicorn on a free
port of 127.0.0.1, (4) fires bounded concurrent requests at POST /api/v1/invites/{token}/redeem/ (two users race
for each single-use link; more users than uses race for the multi-use one) and at GET /api/v1/orgs/, (5) prints
requests/s and latency percentiles of both, their ratio, and the double-redemption count (must be 0), and stops
gunicorn and drops the database, whatever happened. Exit status 1 if any check failed.
"""

import argparse
import http.client
import json
import math
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "portal_bench"  # the only database this script creates or drops
HOST = "127.0.0.1"


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--users", type=int, default=300, help="users with API tokens (M)")
    p.add_argument("--single", type=int, default=100, help="single-use invites (N); two users race for each")
    p.add_argument("--multi-uses", type=int, default=50, help="max_uses of the one multi-use invite")
    p.add_argument("--orgs-requests", type=int, default=600, help="GET /api/v1/orgs/ requests")
    p.add_argument("--concurrency", type=int, default=16, help="requests in flight at once")
    p.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    p.add_argument("--threads", type=int, default=2, help="gunicorn threads per worker")
    p.add_argument("--phase-seconds", type=float, default=30, help="time limit of each measured phase")
    p.add_argument("--pg", default=f"postgres://postgres@{HOST}:5432", help="PostgreSQL server (no database)")
    p.add_argument("--keep-db", action="store_true", help=f"leave {DB_NAME} in place after the run")
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    args = p.parse_args(argv)
    if args.users <= 2 * args.single:
        p.error("--users must exceed 2 × --single: the rest race for the multi-use invite")
    if not 1 <= args.concurrency <= 64 or args.orgs_requests > 20_000 or args.users > 5_000:
        p.error("keep the run bounded: concurrency 1–64, at most 20 000 requests and 5 000 users")
    return args


# ---- database ------------------------------------------------------------------------------------------------


def server_url(args) -> str:
    url = args.pg.rstrip("/")
    host = url.split("@")[-1].split(":")[0].split("/")[0]
    if host not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("The benchmark runs on loopback only: point --pg at 127.0.0.1.")
    return url


def recreate_database(args, *, drop_only=False) -> None:
    import psycopg2

    conn = psycopg2.connect(f"{server_url(args)}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        if not drop_only:
            cur.execute(f'CREATE DATABASE "{DB_NAME}"')
    conn.close()


def bench_env(args, port: int, data_dir: str) -> dict:
    """The environment of the seeding and of gunicorn: the bench database, nothing shared with a dev set-up."""
    return {
        "DATABASE_URL": f"{server_url(args)}/{DB_NAME}",
        "DJANGO_DEBUG": "False",
        "DJANGO_SECURE": "False",
        "CELERY_BROKER_URL": "memory://",  # letters queued by redemptions stay in the process; no shared queue
        "CELERY_TASK_ALWAYS_EAGER": "False",
        "CACHE_URL": "locmemcache://",
        "EMAIL_URL": "dummymail://",
        "PORTAL_DATA_DIR": data_dir,
        "PORTAL_BASE_URL": f"http://{HOST}:{port}",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }


def setup_django(env: dict) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed(args) -> dict:
    """One school, one class, N single-use and one multi-use student invite, M users with tokens."""
    from django.contrib.auth.hashers import make_password
    from rest_framework.authtoken.models import Token

    from invites.models import InvitePolicy
    from invites.services.links import invite_create
    from orgs.models import AcademicYear, Group, Membership, Organisation
    from orgs.permissions import permissions_sync_user
    from portal.accounts.models import User

    org = Organisation.objects.create(
        kind="school",
        full_name="МБОУ «Школа нагрузочного теста»",
        short_name="Школа нагрузочного теста",
        address="г. Тестов, ул. Нагрузочная, д. 1",
        region="Тестовая область",
        municipality="Тестовый район",
    )
    Group.objects.create(organisation=org, kind=Group.Kind.STAFF, name=org.vocabulary.staff_group)
    year = AcademicYear.objects.create(
        organisation=org, name="2026/2027", starts_on="2026-09-01", ends_on="2027-05-31", is_current=True
    )
    cls = Group.objects.create(
        organisation=org,
        kind=Group.Kind.CLASS,
        name="5А",
        grade=5,
        letter="А",
        academic_year=year,
        expected_size=min(32_000, args.users + 100),
    )
    # The leak guard would (rightly) pause a class link joined by hundreds in minutes; here that is the point.
    InvitePolicy.objects.update_or_create(
        organisation=org, defaults={"leak_margin": 32_000, "leak_spike_per_10_minutes": 32_000}
    )
    admin = User.objects.create_user(
        phone="+79980000000", email="bench-admin@example.org", last_name="Админ", first_name="Нагрузочный"
    )
    Membership.objects.create(organisation=org, user=admin, role=Membership.Role.ADMIN)
    permissions_sync_user(organisation=org, user=admin)

    unusable = make_password(None)
    users = User.objects.bulk_create(
        [
            User(phone=f"+7997{i:07d}", last_name="Участник", first_name=f"Номер {i}", password=unusable)
            for i in range(args.users)
        ]
    )
    tokens = Token.objects.bulk_create([Token(user=u, key=Token.generate_key()) for u in users])

    singles = [
        invite_create(organisation=org, actor=admin, role="student", target_group=cls, max_uses=1)[1]
        for _ in range(args.single)
    ]
    _, multi = invite_create(organisation=org, actor=admin, role="student", target_group=cls, max_uses=args.multi_uses)
    return {"org": org.pk, "class": cls.pk, "user_tokens": [t.key for t in tokens], "singles": singles, "multi": multi}


def redeem_plan(data: dict) -> list[tuple[str, str]]:
    """(invite token, user token) pairs: both contenders of a single-use link adjacent, so they race."""
    users = iter(data["user_tokens"])
    blocks = [[(token, next(users)), (token, next(users))] for token in data["singles"]]
    blocks += [[(data["multi"], user)] for user in users]
    random.Random(2026).shuffle(blocks)
    return [pair for block in blocks for pair in block]


def verify(data: dict, redeem: "Phase") -> dict:
    """Count what must never happen: memberships or redemptions beyond an invite's max_uses."""
    from django.db.models import Count

    from invites.models import Invite
    from orgs.models import Membership, Placement

    invites = Invite.objects.filter(organisation_id=data["org"]).annotate(n=Count("redemptions"))
    over_redemptions = sum(max(0, i.n - i.max_uses) for i in invites if i.max_uses is not None)
    over_counter = sum(max(0, i.use_count - i.max_uses) for i in invites if i.max_uses is not None)
    allowed = sum(i.max_uses for i in invites if i.max_uses is not None)
    placements = Placement.objects.filter(group_id=data["class"], valid_to__isnull=True).count()
    students = Membership.objects.filter(organisation_id=data["org"], role="student", valid_to__isnull=True).count()
    return {
        "double_redemptions": over_redemptions
        + over_counter
        + max(0, placements - allowed)
        + max(0, students - allowed),
        "memberships": students,
        "placements": placements,
        "uses_allowed": allowed,
        "joined_responses": redeem.statuses.get(201, 0),
    }


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
            "max_ms": round(max(self.latencies) * 1000, 1),
            "statuses": dict(sorted(self.statuses.items())),
            "errors": self.errors,
        }


def run_phase(name: str, port: int, jobs: list, make_request, concurrency: int, limit_seconds: float) -> Phase:
    """Send the jobs with `concurrency` keep-alive connections; stop at the end of the list or of the time."""
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


def redeem_request(job):
    invite_token, user_token = job
    return (
        "POST",
        f"/api/v1/invites/{invite_token}/redeem/",
        {"Authorization": f"Token {user_token}", "Content-Type": "application/json"},
        b"{}",
    )


def orgs_request(user_token):
    return ("GET", "/api/v1/orgs/", {"Authorization": f"Token {user_token}"}, None)


# ---- report --------------------------------------------------------------------------------------------------


def report(args, redeem: Phase, orgs: Phase, checks: dict) -> dict:
    r, o = redeem.summary(), orgs.summary()
    print(
        f"\nInvite redemption benchmark: gunicorn {args.workers} workers × {args.threads} threads, PostgreSQL, "
        f"{args.concurrency} concurrent keep-alive clients on {HOST}"
    )
    print(f"{'':34} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  statuses")
    for label, s in (("POST /api/v1/invites/{t}/redeem/", r), ("GET  /api/v1/orgs/", o)):
        statuses = " ".join(f"{k}×{v}" for k, v in s["statuses"].items())
        errors = f" errors×{s['errors']}" if s["errors"] else ""
        print(
            f"{label:34} {s['requests']:>8} {s['rps']:>8} {s['p50_ms']:>8} {s['p95_ms']:>8} {s['p99_ms']:>8}  "
            f"{statuses}{errors}"
        )
    ratio = {
        "throughput": round(r["rps"] / o["rps"], 2) if o["rps"] else None,
        "p95": round(r["p95_ms"] / o["p95_ms"], 2) if o["p95_ms"] else None,
    }
    print(f"redeem ÷ orgs: throughput {ratio['throughput']}×, p95 latency {ratio['p95']}×")
    print(
        f"joined: {checks['joined_responses']} responses 201, {checks['memberships']} student memberships, "
        f"{checks['uses_allowed']} uses allowed in all"
    )
    print(f"double redemptions (memberships or uses beyond max_uses): {checks['double_redemptions']}")
    for phase in (redeem, orgs):
        if phase.done < phase.planned:
            print(f"note: {phase.name} stopped at the time limit after {phase.done} of {phase.planned} requests")
    return {"redeem": r, "orgs": o, "ratio": ratio, **checks}


def failures(redeem: Phase, orgs: Phase, checks: dict) -> list[str]:
    problems = []
    if checks["double_redemptions"]:
        problems.append("double redemptions")
    if checks["joined_responses"] != checks["memberships"]:
        problems.append("201 responses do not match memberships")
    if redeem.done == redeem.planned and checks["memberships"] != checks["uses_allowed"]:
        problems.append("not every use of the invites was taken")
    for phase in (redeem, orgs):
        if phase.errors or any(code >= 500 for code in phase.statuses):
            problems.append(f"{phase.name}: connection errors or 5xx responses")
    if set(redeem.statuses) - {201, 410}:
        problems.append(f"unexpected redeem statuses {sorted(redeem.statuses)}")
    return problems


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.monotonic()

    def step(text):
        print(f"[{time.monotonic() - started:5.1f} s] {text}", flush=True)

    port = free_port()
    proc = None
    data_dir = tempfile.mkdtemp(prefix="portal-bench-")
    log = open(Path(data_dir) / "gunicorn.log", "w+")  # noqa: SIM115 — read back on failure
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally below on a polite kill
    try:
        step(f"recreating database {DB_NAME} and migrating")
        recreate_database(args)
        env = bench_env(args, port, data_dir)
        setup_django(env)
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0, interactive=False)
        step(f"seeding {args.users} users, {args.single} single-use invites, one for {args.multi_uses} uses")
        data = seed(args)
        connections.close_all()

        step(f"starting gunicorn on {HOST}:{port}")
        proc = start_gunicorn(args, env, port, log)
        wait_ready(port, proc)
        users = data["user_tokens"]
        run_phase("warm-up", port, users[: 4 * args.concurrency], orgs_request, args.concurrency, 20)

        step("measuring redemption")
        redeem = run_phase("redeem", port, redeem_plan(data), redeem_request, args.concurrency, args.phase_seconds)
        step("measuring GET /api/v1/orgs/")
        orgs_jobs = [users[i % len(users)] for i in range(args.orgs_requests)]
        orgs = run_phase("orgs", port, orgs_jobs, orgs_request, args.concurrency, args.phase_seconds)
        stop_gunicorn(proc)

        checks = verify(data, redeem)
        figures = report(args, redeem, orgs, checks)
        problems = failures(redeem, orgs, checks)
        if args.json:
            args.json.write_text(json.dumps({**figures, "problems": problems}, ensure_ascii=False, indent=2))
        step("done")
        if problems:
            print("FAILED: " + "; ".join(problems))
            log.seek(0)
            print(log.read()[-4000:])
            return 1
        return 0
    finally:
        stop_gunicorn(proc)
        log.close()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # Django was never set up
            pass
        if not args.keep_db:
            recreate_database(args, drop_only=True)


if __name__ == "__main__":
    sys.exit(main())
