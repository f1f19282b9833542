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
import json
import random
import sys

from _common import HOST, Phase, add_server_args, bench_run, halves, joined, print_table, ratio, run_phase, seed_school

DB_NAME = "portal_bench"  # the only database this script creates or drops


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--users", type=int, default=300, help="users with API tokens (M)")
    p.add_argument("--single", type=int, default=100, help="single-use invites (N); two users race for each")
    p.add_argument("--multi-uses", type=int, default=50, help="max_uses of the one multi-use invite")
    p.add_argument("--orgs-requests", type=int, default=600, help="GET /api/v1/orgs/ requests")
    p.add_argument("--db", default=DB_NAME, help="the throw-away database (portal_bench…): one of its own per user")
    add_server_args(p, concurrency=16, phase_seconds=30)
    args = p.parse_args(argv)
    if args.users <= 2 * args.single:
        p.error("--users must exceed 2 × --single: the rest race for the multi-use invite")
    if not 1 <= args.concurrency <= 64 or args.orgs_requests > 20_000 or args.users > 5_000:
        p.error("keep the run bounded: concurrency 1–64, at most 20 000 requests and 5 000 users")
    return args


# ---- data ----------------------------------------------------------------------------------------------------


def seed(args) -> dict:
    """One school, one class, N single-use and one multi-use student invite, M users with tokens."""
    from django.contrib.auth.hashers import make_password
    from rest_framework.authtoken.models import Token

    from chats.services.sync import chats_sync_organisation
    from invites.models import InvitePolicy
    from invites.services.links import invite_create
    from orgs.models import Membership
    from orgs.permissions import permissions_sync_user
    from orgs.services.membership import curator_assign, teaching_assign
    from orgs.services.people import person_add
    from portal.accounts.models import User

    org, cls = seed_school("МБОУ «Школа нагрузочного теста»", 1, expected_size=min(32_000, args.users + 100))
    # The leak guard would (rightly) pause a class link joined by hundreds in minutes; here that is the point.
    InvitePolicy.objects.update_or_create(organisation=org, defaults={"leak_margin": 32_000, "leak_spike_uses": 32_000})
    admin = User.objects.create_user(
        phone="+79980000000", email="bench-admin@example.org", last_name="Админ", first_name="Нагрузочный"
    )
    Membership.objects.create(organisation=org, user=admin, role=Membership.Role.ADMIN)
    permissions_sync_user(organisation=org, user=admin)
    # The class's curator and a subject teacher, so that the class has its chats (class, parents', teachers',
    # subject) and the school its channels, as the portal makes them: each joining request adds the joiner to these.
    curator = person_add(
        organisation=org,
        actor=admin,
        role=Membership.Role.TEACHER,
        last_name="Куратор",
        first_name="Нагрузочный",
        phone="+79980000001",
        verified=True,
    ).user
    curator_assign(group=cls, teacher=curator, actor=admin)
    teaching_assign(group=cls, teacher=curator, subject="Математика", actor=admin)
    chats_sync_organisation(organisation=org)

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


def chats_of_joiners(data: dict, args) -> dict:
    """How many joined students are not in their class's chat: 0, as each joining request adds its joiner's rows
    right after its commit."""
    from chats.models import Chat, ChatMember
    from orgs.models import Placement

    placed = Placement.objects.filter(group_id=data["class"], valid_to__isnull=True)
    joined = set(placed.values_list("student_id", flat=True))
    chat = Chat.objects.get(group_id=data["class"], kind=Chat.Kind.CLASS)
    in_chat = set(ChatMember.objects.filter(chat=chat, left_at__isnull=True).values_list("user_id", flat=True))
    return {"joiners_without_class_chat": len(joined - in_chat)}


# ---- load ----------------------------------------------------------------------------------------------------


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
    print_table([("POST /api/v1/invites/{t}/redeem/", r), ("GET  /api/v1/orgs/", o)], width=34)
    print("(GET /api/v1/orgs/: its requests in two halves, one before the redemptions and one after, counted together)")
    against = ratio(r, o)
    print(f"redeem ÷ orgs: throughput {against['throughput']}×, p95 latency {against['p95']}×")
    print(
        f"joined: {checks['joined_responses']} responses 201, {checks['memberships']} student memberships, "
        f"{checks['uses_allowed']} uses allowed in all"
    )
    print(f"double redemptions (memberships or uses beyond max_uses): {checks['double_redemptions']}")
    if checks.get("drain_seconds") is None:
        print("no Celery worker (--no-worker): jobs the requests queued stayed in memory, never run")
    else:
        seconds = redeem.seconds + checks["drain_seconds"]
        print(
            f"Celery worker beside gunicorn: the jobs queued were all done {checks['drain_seconds']:.1f} s after the "
            f"last response ({redeem.done / seconds:.1f} redemptions/s with that time counted, "
            f"{redeem.done / seconds / o['rps']:.2f}× the baseline)"
        )
    print(f"joiners not in their class chat: {checks['joiners_without_class_chat']}")
    for phase in (redeem, orgs):
        if phase.done < phase.planned:
            print(f"note: {phase.name} stopped at the time limit after {phase.done} of {phase.planned} requests")
    return {"redeem": r, "orgs": o, "ratio": against, **checks}


def failures(redeem: Phase, orgs: Phase, checks: dict) -> list[str]:
    problems = []
    if checks["double_redemptions"]:
        problems.append("double redemptions")
    if checks.get("joiners_without_class_chat"):
        problems.append("joiners missing from their class chat")
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
    with bench_run(args, args.db) as run:
        from django.db import connections

        run.step(f"seeding {args.users} users, {args.single} single-use invites, one for {args.multi_uses} uses")
        data = seed(args)
        connections.close_all()

        run.start_gunicorn()
        users = data["user_tokens"]
        run_phase("warm-up", run.port, users[: 4 * args.concurrency], orgs_request, args.concurrency, 20)

        # The baseline in two halves, before and after the redemptions (`_common.joined`).
        first, second = halves([users[i % len(users)] for i in range(args.orgs_requests)])
        run.step("measuring GET /api/v1/orgs/, first half")
        before = run_phase("orgs", run.port, first, orgs_request, args.concurrency, args.phase_seconds)
        run.step("measuring redemption")
        redeem = run_phase("redeem", run.port, redeem_plan(data), redeem_request, args.concurrency, args.phase_seconds)
        drained = run.drain()  # whatever jobs the joinings queued, before the baseline's second half
        run.step("measuring GET /api/v1/orgs/, second half")
        after = run_phase("orgs", run.port, second, orgs_request, args.concurrency, args.phase_seconds)
        orgs = joined("orgs", [before, after])
        run.stop_gunicorn()

        checks = {**verify(data, redeem), "drain_seconds": drained, **chats_of_joiners(data, args)}
        figures = report(args, redeem, orgs, checks)
        problems = failures(redeem, orgs, checks)
        if args.json:
            args.json.write_text(json.dumps({**figures, "problems": problems}, ensure_ascii=False, indent=2))
        run.step("done")
        if problems:
            print("FAILED: " + "; ".join(problems))
            print(run.log_tail())
            return 1
        return 0


if __name__ == "__main__":
    sys.exit(main())
