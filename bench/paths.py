"""In-process cost of the paths of bench/messages.py and bench/redeem.py: milliseconds and queries per request.

    .venv/bin/python bench/paths.py --seed            # (re)create portal_bench_paths, seed it, measure, keep it
    .venv/bin/python bench/paths.py                   # measure again on the kept database
    .venv/bin/python bench/paths.py --profile page    # and print cProfile's top functions of one path
    .venv/bin/python bench/paths.py --only redeem --only orgs   # a redemption (its joiner's chat rows included)
    .venv/bin/python bench/paths.py --drop            # drop the database

No server: each request goes through Django's test client in this process (the whole middleware stack, the
session or the API token), so the figures hold on a machine shared with other work, where gunicorn's are noisy.
The CPU column is this process's (the database works beside it): on a loaded machine it is the steadier guide.
The seeding is bench/messages.py's (a class chat of 40 among `--messages` messages) plus a multi-use student
invite and fresh users for the redemption. Loopback PostgreSQL only; the only database touched is `--db`.
"""

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from types import SimpleNamespace

from _common import DEFAULT_PG, bench_env, recreate_database, setup_django

PATHS = ("floor", "floor_session", "floor_api", "orgs", "messages", "chats", "page", "redeem")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", default="portal_bench_paths", help="the throw-away database (portal_bench*)")
    p.add_argument("--pg", default=DEFAULT_PG)
    p.add_argument("--seed", action="store_true", help="recreate and seed the database first")
    p.add_argument("--drop", action="store_true", help="drop the database and stop")
    p.add_argument("--messages", type=int, default=20_000)
    p.add_argument("--chat-messages", type=int, default=2_000)
    p.add_argument("--requests", type=int, default=30, help="measured requests per path (after 3 warm-ups)")
    p.add_argument("--only", choices=PATHS, action="append", help="measure these paths only")
    p.add_argument("--profile", choices=PATHS, help="print cProfile's top functions of this path")
    p.add_argument("--sort", default="cumulative", help="cProfile's order: cumulative, tottime, …")
    p.add_argument("--lines", type=int, default=45, help="how many of cProfile's functions to print")
    p.add_argument("--match", help="print only cProfile's functions whose file or name matches this regex")
    return p.parse_args(argv)


def seed(args) -> None:
    import messages as bench_messages
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    ns = SimpleNamespace(messages=args.messages, chat_messages=args.chat_messages, other_chats=40, pages=1)
    bench_messages.seed(ns)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def fixtures() -> dict:
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from chats.models import Chat

    chat = Chat.objects.filter(kind=Chat.Kind.CLASS).order_by("pk").first()
    from orgs.models import Membership

    in_chat = chat.members.filter(left_at__isnull=True).values("user_id")
    student = Membership.objects.filter(organisation=chat.organisation, role="student", user__in=in_chat)
    user = student.select_related("user").order_by("user_id").first().user
    token, _ = Token.objects.get_or_create(user=user)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    browser = Client()
    browser.force_login(user)
    return {
        "chat": chat,
        "org": chat.organisation,
        "api": api,
        "browser": browser,
        "anonymous": Client(),
        "group": chat.group,
    }


def redeem_maker(fx: dict, count: int):
    """A multi-use student invite with room for every redemption and `count` fresh users with tokens."""
    from django.contrib.auth.hashers import make_password
    from rest_framework.authtoken.models import Token

    from invites.models import InvitePolicy
    from invites.services.links import invite_create
    from orgs.models import Membership
    from portal.accounts.models import User

    org = fx["org"]
    InvitePolicy.objects.update_or_create(organisation=org, defaults={"leak_margin": 32_000, "leak_spike_uses": 32_000})
    admin = Membership.objects.filter(organisation=org, role="admin").first().user
    _, token = invite_create(organisation=org, actor=admin, role="student", target_group=fx["group"], max_uses=count)
    start = User.objects.count()
    unusable = make_password(None)
    users = User.objects.bulk_create(
        [
            User(phone=f"+7995{start + i:07d}", last_name="Гость", first_name=f"Номер {i}", password=unusable)
            for i in range(count)
        ]
    )
    keys = iter(Token.objects.bulk_create([Token(user=u, key=Token.generate_key()) for u in users]))
    from django.test import Client

    def one():
        client = Client(HTTP_AUTHORIZATION=f"Token {next(keys).key}")
        return client.post(f"/api/v1/invites/{token}/redeem/", content_type="application/json")

    return one, 201


def makers(fx: dict, args) -> dict:
    chat, org = fx["chat"], fx["org"]
    return {
        "floor": (lambda: fx["anonymous"].get("/bench/floor/"), 200),
        # The same bare view signed in: the session, the person and the policies gate that every page pays.
        "floor_session": (lambda: fx["browser"].get("/bench/floor/"), 200),
        "floor_api": (lambda: fx["api"].get("/bench/floor-api/"), 200),
        "orgs": (lambda: fx["api"].get("/api/v1/orgs/"), 200),
        "messages": (lambda: fx["api"].get(f"/api/v1/chats/{chat.pk}/messages/"), 200),
        "chats": (lambda: fx["api"].get(f"/api/v1/orgs/{org.pk}/chats/"), 200),
        "page": (lambda: fx["browser"].get(f"/chats/{chat.pk}/"), 200),
    }


def measure(name, make, expected, n, profile=False):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        response = make()
        if response.status_code != expected:
            sys.exit(f"{name}: status {response.status_code}, expected {expected}: {response.content[:300]!r}")
    times, cpu, queries = [], [], []
    profiler = cProfile.Profile() if profile else None
    for _ in range(n):
        with CaptureQueriesContext(connection) as ctx:
            if profiler:
                profiler.enable()
            t0, c0 = time.perf_counter(), time.process_time()
            response = make()
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
            if profiler:
                profiler.disable()
        if response.status_code != expected:
            sys.exit(f"{name}: status {response.status_code}")
        queries.append(len(ctx.captured_queries))
    last = ctx.captured_queries
    summary = {"median": statistics.median(times), "min": min(times), "cpu": statistics.median(cpu)}
    return {**summary, "queries": max(queries)}, profiler, last


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.drop:
        recreate_database(args.pg, args.db, drop_only=True)
        return 0
    env = bench_env(args.pg, args.db, 8000, "/tmp/portal-bench-paths")
    env["DJANGO_STATICFILES_STORAGE"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    env["DJANGO_ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    if args.seed:
        recreate_database(args.pg, args.db)
    setup_django(env)
    from django.conf import settings

    settings.DEBUG = False
    settings.ROOT_URLCONF = "bench_urls"  # the portal's URLs and the floors (bench/bench_urls.py)
    if args.seed:
        seed(args)
    fx = fixtures()
    paths = makers(fx, args)
    only = args.only or list(PATHS)
    print(f"{'path':10} {'median ms':>10} {'min ms':>8} {'CPU ms':>8} {'queries':>8}")
    for name in only:
        if name == "redeem":
            make, expected = redeem_maker(fx, args.requests + 3)
        else:
            make, expected = paths[name]
        result, profiler, last = measure(name, make, expected, args.requests, profile=args.profile == name)
        print(f"{name:10} {result['median']:10.1f} {result['min']:8.1f} {result['cpu']:8.1f} {result['queries']:8}")
        if profiler:
            for q in last:
                print("   ", q["time"], q["sql"][:200])
            restrictions = [args.match] if args.match else []
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(*restrictions, args.lines)
    return 0


if __name__ == "__main__":
    sys.exit(main())
