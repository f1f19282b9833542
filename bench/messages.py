"""Benchmark of chat messages: posting and reading in a chat of 40 among 100 000 messages, beside a trivial view.

    .venv/bin/python bench/messages.py [--messages 100000 --chat-messages 5000 --posts-per-member 8]

It (1) recreates the throw-away database `portal_bench_messages` and migrates it, (2) seeds one organisation
whose class 5А (a curator and 39 students, added through the organisation's services, its chats built by the
chat sync) has a class chat of 40 members, and `--messages` messages spread over the organisation's chats
(`--chat-messages` of them in the class chat, with replies, deleted markers and polls), API tokens and browser
sessions for the 40 members, (3) starts gunicorn on a free port of 127.0.0.1, (4) sends bounded concurrent
requests: GET /api/v1/orgs/ (the baseline), POST /api/v1/chats/{id}/messages/ by the 40 members, GET of the
first message page and of the chat list with unread counts, and the browser's chat page, (5) prints requests/s,
latency percentiles and the ratio of each against the baseline, and checks every status and that the messages
grew by exactly the 201 responses, and stops gunicorn and drops the database, whatever happened.
Exit status 1 if any check failed.
"""

import argparse
import json
import sys
from datetime import timedelta

from _common import HOST, Phase, add_server_args, bench_run, halves, joined, print_table, ratio, run_phase, seed_school

DB_NAME = "portal_bench_messages"  # the only database this script creates or drops
MEMBERS = 40  # the class chat: its curator and 39 students
SUBJECTS = ("Математика", "Русский язык", "История")
POLLS = 10
BATCH = 5_000


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--messages", type=int, default=100_000, help="messages in the organisation before the run")
    p.add_argument("--chat-messages", type=int, default=5_000, help="of them, in the 40-member class chat")
    p.add_argument("--other-chats", type=int, default=80, help="other chats that hold the remaining messages")
    p.add_argument("--posts-per-member", type=int, default=8, help="POSTs of a message by each of the 40 members")
    p.add_argument("--reads", type=int, default=400, help="GETs of each reading endpoint (messages, chat list)")
    p.add_argument("--pages", type=int, default=150, help="GETs of the browser's chat page (0: skip)")
    p.add_argument("--orgs-requests", type=int, default=600, help="GET /api/v1/orgs/ requests (the baseline)")
    p.add_argument(
        "--floor-requests",
        type=int,
        default=600,
        help="GETs of each floor, /bench/floor/ and /bench/floor-api/ (bench/bench_urls.py; 0: skip them)",
    )
    p.add_argument("--db", default=DB_NAME, help="the throw-away database (portal_bench…): one of its own per user")
    add_server_args(p, concurrency=MEMBERS, phase_seconds=12)
    args = p.parse_args(argv)
    if not POLLS < args.chat_messages <= args.messages - args.other_chats:
        p.error("--chat-messages must exceed the polls and leave messages for the other chats")
    if not 1 <= args.other_chats <= 1_000:
        p.error("--other-chats: 1–1 000")
    requests = args.posts_per_member * MEMBERS + 2 * args.reads + args.pages + args.orgs_requests
    requests += 2 * args.floor_requests
    if not 1 <= args.concurrency <= 64 or requests > 40_000 or args.messages > 1_000_000:
        p.error("keep the run bounded: concurrency 1–64, at most 40 000 requests and 1 000 000 messages")
    return args


# ---- data ----------------------------------------------------------------------------------------------------


def seed_people() -> dict:
    """The school, its class 5А with a curator and 39 students, three subject teachers: through the services, so
    that the chat sync builds the chats as it does in production."""
    from chats.models import Chat
    from chats.services.sync import chats_sync_organisation
    from orgs.models import Membership
    from orgs.permissions import permissions_sync_user
    from orgs.services.membership import curator_assign, teaching_assign
    from orgs.services.people import person_add
    from portal.accounts.models import User

    org, cls = seed_school("МБОУ «Школа нагрузочного теста чатов»", 2)
    admin = User.objects.create_user(
        phone="+79960000000", email="bench-chats-admin@example.org", last_name="Админ", first_name="Нагрузочный"
    )
    Membership.objects.create(organisation=org, user=admin, role=Membership.Role.ADMIN)
    permissions_sync_user(organisation=org, user=admin)

    def person(role, n, **extra):
        return person_add(
            organisation=org,
            actor=admin,
            role=role,
            last_name="Участник",
            first_name=f"Номер {n}",
            phone=f"+7996{n:07d}",
            **extra,
        ).user

    curator = person(Membership.Role.TEACHER, 1, verified=True)
    curator_assign(group=cls, teacher=curator, actor=admin)
    students = [person(Membership.Role.STUDENT, 100 + n, group=cls) for n in range(MEMBERS - 1)]
    for n, subject in enumerate(SUBJECTS):
        teacher = curator if n == 0 else person(Membership.Role.TEACHER, 2 + n, verified=True)
        teaching_assign(group=cls, teacher=teacher, subject=subject, actor=admin)
    chats_sync_organisation(organisation=org)  # changes nothing after the live syncs; here to be sure

    chat = Chat.objects.get(group=cls, kind=Chat.Kind.CLASS)
    members = sorted(chat.members.filter(left_at__isnull=True).values_list("user_id", flat=True))
    expected = sorted([curator.pk, *(s.pk for s in students)])
    if members != expected:
        raise RuntimeError(f"the class chat has {len(members)} members, not the curator and 39 students")
    return {"org": org, "admin": admin, "chat": chat, "members": [curator, *students]}


def seed_other_chats(args, people: dict) -> list:
    """`--other-chats` chats of the administrator; each of the 40 members sits in about one in eight of them."""
    from chats.models import Chat, ChatMember

    org, admin = people["org"], people["admin"]
    chats = Chat.objects.bulk_create(
        [
            Chat(organisation=org, kind=Chat.Kind.OTHER, title=f"Кружок № {n + 1}", created_by=admin)
            for n in range(args.other_chats)
        ]
    )
    rows = [ChatMember(chat=c, user=admin, role=ChatMember.Role.OWNER) for c in chats]
    members = people["members"]
    rows += [ChatMember(chat=c, user=u) for n, c in enumerate(chats) for i, u in enumerate(members) if n % 8 == i % 8]
    ChatMember.objects.bulk_create(rows)
    return chats


def seed_messages(args, people: dict) -> None:
    """`--messages` in all: the class chat's with replies, deleted markers and polls; the rest spread evenly."""
    from django.utils import timezone

    from chats.models import Chat, ChatMember, ChatReadState, Message, PollVote
    from chats.services.polls import poll_create

    org, chat, members = people["org"], people["chat"], people["members"]
    pool = list(Chat.objects.filter(organisation=org).exclude(pk=chat.pk))
    authors = {}
    for row in ChatMember.objects.filter(chat__in=pool, left_at__isnull=True).order_by("pk"):
        authors.setdefault(row.chat_id, []).append(row.user_id)
    each, extra = divmod(args.messages - args.chat_messages, len(pool))
    start = timezone.now() - timedelta(seconds=args.messages + 60)
    clock = iter(range(10**9))

    def batch_insert(rows):
        for at in range(0, len(rows), BATCH):
            Message.objects.bulk_create(rows[at : at + BATCH])

    for n, other in enumerate(pool):
        ids = authors.get(other.pk) or [people["admin"].pk]
        count = each + (1 if n < extra else 0)
        batch_insert(
            [
                Message(
                    chat=other,
                    author_id=ids[i % len(ids)],
                    text=f"Сообщение {i} в чате «{other.title}»",
                    created_at=start + timedelta(seconds=next(clock)),
                )
                for i in range(count)
            ]
        )

    # The class chat: every 10th message a reply to an earlier one, every 40th deleted, polls the newest.
    earlier = []
    plain = args.chat_messages - POLLS
    for at in range(0, plain, 1_000):
        rows = []
        for i in range(at, min(at + 1_000, plain)):
            deleted = i % 40 == 39
            rows.append(
                Message(
                    chat=chat,
                    author=members[i % MEMBERS],
                    text="" if deleted else f"Сообщение {i}: домашнее задание, расписание, вопросы.",
                    reply_to_id=earlier[(i * 7919) % len(earlier)] if earlier and i % 10 == 0 else None,
                    created_at=start + timedelta(seconds=next(clock)),
                    deleted_at=timezone.now() if deleted else None,
                    deleted_by=members[i % MEMBERS] if deleted else None,
                )
            )
        earlier += [m.pk for m in Message.objects.bulk_create(rows)]
    for n in range(POLLS):
        poll = poll_create(
            chat=chat,
            actor=members[0],
            question=f"Опрос № {n + 1}: когда удобно провести классный час?",
            options=["Понедельник", "Среда", "Пятница"],
            anonymous=n % 2 == 1,
        )
        options = list(poll.options.all())
        PollVote.objects.bulk_create(
            [PollVote(option=options[i % len(options)], user=u) for i, u in enumerate(members[1:])]
        )
    # The members have read four fifths of the class chat: the rest counts as unread.
    read_up_to = earlier[len(earlier) * 4 // 5]
    ChatReadState.objects.bulk_create(
        [ChatReadState(chat=chat, user=u, last_read_message_id=read_up_to) for u in members]
    )


def seed(args) -> dict:
    """People, chats, messages, then API tokens and browser sessions for the 40 members of the class chat."""
    from django.conf import settings
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from chats.models import Message

    people = seed_people()
    seed_other_chats(args, people)
    seed_messages(args, people)
    tokens = Token.objects.bulk_create([Token(user=u, key=Token.generate_key()) for u in people["members"]])
    sessions = []
    for user in people["members"][: 1 if args.pages == 0 else MEMBERS]:
        client = Client()
        client.force_login(user)  # a session row in the database, as a login in the browser leaves it
        sessions.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
    total = Message.objects.filter(chat__organisation=people["org"]).count()
    if total != args.messages:
        raise RuntimeError(f"seeded {total} messages, not {args.messages}")
    return {
        "org": people["org"].pk,
        "chat": people["chat"].pk,
        "tokens": [t.key for t in tokens],
        "sessions": sessions,
        "cookie": settings.SESSION_COOKIE_NAME,
        "messages_before": total,
        "chat_messages_before": Message.objects.filter(chat=people["chat"]).count(),
    }


def count_messages(data: dict) -> tuple[int, int]:
    from chats.models import Message

    org_total = Message.objects.filter(chat__organisation_id=data["org"]).count()
    return org_total, Message.objects.filter(chat_id=data["chat"]).count()


# ---- load ----------------------------------------------------------------------------------------------------


def token_get(path: str):
    return lambda token: ("GET", path, {"Authorization": f"Token {token}"}, None)


def post_request(data: dict):
    path = f"/api/v1/chats/{data['chat']}/messages/"

    def make(job):
        token, n = job
        body = json.dumps({"text": f"Нагрузочное сообщение № {n}: завтра контрольная, не забудьте тетради."})
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        return "POST", path, headers, body.encode()

    return make


def page_request(data: dict):
    path = f"/chats/{data['chat']}/"
    return lambda session: ("GET", path, {"Cookie": f"{data['cookie']}={session}"}, None)


def spread(items: list, count: int) -> list:
    """`count` jobs taking the items in turn: consecutive requests come from different members."""
    return [items[i % len(items)] for i in range(count)]


# ---- report --------------------------------------------------------------------------------------------------

EXPECTED = {"post": 201, "messages": 200, "chats": 200, "page": 200, "orgs": 200, "floor": 200, "floor_api": 200}
FLOORS = ("floor", "floor_api")

LABELS = {
    "floor": "GET  /bench/floor/ (bare Django)",
    "floor_api": "GET  /bench/floor-api/ (DRF, token)",
    "orgs": "GET  /api/v1/orgs/ (baseline)",
    "post": "POST /api/v1/chats/{id}/messages/",
    "messages": "GET  /api/v1/chats/{id}/messages/",
    "chats": "GET  /api/v1/orgs/{org}/chats/",
    "page": "GET  /chats/{id}/ (browser page)",
}


def report(args, data: dict, phases: dict[str, Phase], checks: dict) -> dict:
    summaries = {name: phase.summary() for name, phase in phases.items()}
    print(
        f"\nChat messages benchmark: gunicorn {args.workers} workers × {args.threads} threads, PostgreSQL, "
        f"{args.concurrency} concurrent keep-alive clients on {HOST}; {data['messages_before']} messages in the "
        f"organisation, {data['chat_messages_before']} in the chat of {MEMBERS} members"
    )
    names = LABELS
    print_table([(names[name], s) for name, s in summaries.items()], width=36)
    print("(the baseline: its requests in two halves, one before the paths and one after them, counted together)")
    base = summaries["orgs"]
    ratios = {name: ratio(s, base) for name, s in summaries.items() if name not in ("orgs", *FLOORS)}
    for name, r in ratios.items():
        print(f"{names[name]:36} ÷ baseline: throughput {r['throughput']}×, p95 latency {r['p95']}×")
    floors = {name: ratio(base, summaries[name]) for name in FLOORS if name in summaries}
    for name, r in floors.items():
        print(f"{'baseline ÷ ' + names[name].strip():36}: throughput {r['throughput']}×, p95 latency {r['p95']}×")
    print(
        f"messages: {checks['messages_before']} → {checks['messages_after']} "
        f"(+{checks['messages_after'] - checks['messages_before']}), {checks['created_responses']} responses 201"
    )
    for phase in phases.values():
        if phase.done < phase.planned:
            print(f"note: {phase.name} stopped at the time limit after {phase.done} of {phase.planned} requests")
    if args.pages == 0:
        print("note: the browser page was skipped (--pages 0)")
    return {"phases": summaries, "ratio_to_baseline": ratios, "baseline_to_floor": floors, **checks}


def failures(phases: dict[str, Phase], checks: dict) -> list[str]:
    problems = []
    for name, phase in phases.items():
        if phase.errors:
            problems.append(f"{name}: {phase.errors} connection errors")
        unexpected = {code: n for code, n in phase.statuses.items() if code != EXPECTED[name]}
        if unexpected:
            problems.append(f"{name}: unexpected statuses {unexpected}")
        if not phase.done:
            problems.append(f"{name}: no request completed")
    grown = checks["messages_after"] - checks["messages_before"]
    if grown != checks["created_responses"]:
        problems.append(f"the messages grew by {grown}, but {checks['created_responses']} posts answered 201")
    if checks["chat_messages_after"] - checks["chat_messages_before"] != grown:
        problems.append("messages appeared outside the class chat")
    return problems


def main(argv=None) -> int:
    args = parse_args(argv)
    # The page needs the static files' manifest: collected into the run's folder, without the compression that
    # production's storage adds (the manifest, hence the page, is the same; the collection takes seconds, not a minute).
    storage = {"DJANGO_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}
    floors = {"PORTAL_BENCH_FLOOR": "1"}  # the floors' URLs, in this server only (bench/gunicorn_bench.py)
    with bench_run(args, args.db, extra_env={**storage, **floors}) as run:
        from django.db import connections

        run.step(
            f"seeding a chat of {MEMBERS}, {args.other_chats} other chats and {args.messages} messages "
            f"({args.chat_messages} in the chat)"
        )
        data = seed(args)
        run.analyze()
        if args.pages:
            from django.core.management import call_command

            run.step("collecting static files for the page")
            call_command("collectstatic", interactive=False, verbosity=0)
        connections.close_all()

        run.start_gunicorn()
        tokens, org, chat = data["tokens"], data["org"], data["chat"]
        makers = {
            "floor": lambda _token: ("GET", "/bench/floor/", {}, None),
            "floor_api": token_get("/bench/floor-api/"),
            "orgs": token_get("/api/v1/orgs/"),
            "post": post_request(data),
            "messages": token_get(f"/api/v1/chats/{chat}/messages/"),
            "chats": token_get(f"/api/v1/orgs/{org}/chats/"),
            "page": page_request(data),
        }
        jobs = {
            "floor": spread(tokens, args.floor_requests),
            "floor_api": spread(tokens, args.floor_requests),
            "orgs": spread(tokens, args.orgs_requests),
            "post": [(tokens[i % MEMBERS], i) for i in range(args.posts_per_member * MEMBERS)],
            "messages": spread(tokens, args.reads),
            "chats": spread(tokens, args.reads),
            "page": spread(data["sessions"], args.pages),
        }
        if not args.pages:
            del jobs["page"]
        if not args.floor_requests:
            del jobs["floor"], jobs["floor_api"]
        # Every worker process imports and connects on its first requests: warm each endpoint up, unmeasured.
        for name in (*FLOORS, "orgs", "messages", "chats", "page"):
            if name in jobs:
                warm = spread(jobs[name], 2 * args.workers * args.threads)
                run_phase("warm-up", run.port, warm, makers[name], args.workers * args.threads, 20)

        # The baseline in two halves: one before the paths, one after them (`_common.joined`).
        baseline = iter(halves(jobs.pop("orgs")))
        order = [*(n for n in FLOORS if n in jobs), "orgs", *(n for n in jobs if n not in FLOORS), "orgs"]
        measured = {}
        for name in order:
            run.step(f"measuring {LABELS[name].strip()}")
            part = next(baseline) if name == "orgs" else jobs[name]
            phase = run_phase(name, run.port, part, makers[name], args.concurrency, args.phase_seconds)
            measured.setdefault(name, []).append(phase)
            drained = run.drain()  # the jobs this phase queued are done before the next one is measured
            if drained is not None and drained >= 0.5:
                run.step(f"the worker finished this phase's jobs {drained:.1f} s after its last response")
        phases = {name: joined(name, measured[name]) for name in LABELS if name in measured}  # in the table's order
        run.stop_gunicorn()

        after, chat_after = count_messages(data)
        checks = {
            "messages_before": data["messages_before"],
            "messages_after": after,
            "chat_messages_before": data["chat_messages_before"],
            "chat_messages_after": chat_after,
            "created_responses": phases["post"].statuses.get(201, 0),
        }
        figures = report(args, data, phases, checks)
        problems = failures(phases, checks)
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
