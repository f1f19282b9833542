"""Benchmark of the usage statistics: a district of 100 schools with 5 000 000 messages over 90 days.

    .venv/bin/python bench/stats.py [--orgs 100 --messages 5000000 --days 90]   (full size, ~7 minutes)
    .venv/bin/python bench/stats.py --quick                                      (a smoke size, ~1 minute)
    .venv/bin/python bench/stats.py --halve-history          (also the fill and the GROUP BYs with half the days)

It (1) recreates the throw-away database `portal_bench_stats` and migrates it, (2) builds a district of `--orgs`
schools of one municipality — classes, staff, students, parents, their class chats — and `--messages` messages over
the last `--days` local days, set-based in SQL (INSERT … SELECT generate_series, one statement per day), with
weekdays busier than weekends and some trivial messages (emoji, one word, repeats), and seen marks and per-person day
rows (which the portal writes as people act) for the days they are kept; (3) measures, on PostgreSQL:
  - one incremental fill of a day's new events (what `stats_advance` does when a new local day has ended: every
    indicator of every organisation for that day) against one bare GROUP BY of that day's message rows by
    organisation and chat kind (the baseline, measured in the same run), with a breakdown per indicator. The
    report says how many messages the GROUP BY's plan read to find the day's: with no index leading with the
    time, PostgreSQL (with its default costs) scans the whole table, so the baseline grows with the history while
    the fill reads the day's rows only (bench/README.md, "The ratio and the history"). The same GROUP BY planned
    with the fill's own settings (`stats.services.fill.planner_settings`) is printed too, with its ratio;
  - the full backfill (`stats_backfill`) over the first half of the days and over all of them, as seconds per
    million messages of each and the ratio of the two (linear: ≈ 1);
  - the director's dashboard of one school: the median of `--dashboard-requests` requests through Django's test
    client (in process, nothing listens on a port) and its number of queries;
(4) prints the figures as a table and drops the database, whatever happened (`--keep-db` leaves it).
Nothing leaves the machine: the PostgreSQL address must be loopback. Exit status 1 if a check failed.
"""

import argparse
import json
import os
import statistics
import sys
import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from _common import DEFAULT_PG, bench_run

DB_NAME = "portal_bench_stats"  # the only database this script creates or drops
TIME_ZONE = "Europe/Moscow"
YEAR = ("2026-09-01", "2027-05-31")
MUNICIPALITY = "Нагрузочный муниципальный район"
STUDENTS_PER_CLASS = 25
PLANNED_SIZE = 28
OTHER_CHATS = 6
# Local days of the week (Monday first): a school's weekend is quieter.
WEEKDAY_WEIGHT = (1.0, 1.0, 1.0, 1.0, 0.9, 0.35, 0.15)
# Chat kinds and how many "slots" each has in the draw of a message's chat: class chats are the busiest.
SLOT_WEIGHT = {
    "class": 4,
    "class_parents": 4,
    "class_teachers": 1,
    "staff_channel": 3,
    "general_channel": 1,
    "other": 1,
}
# The share of people present on a weekday, by kind (weekends: WEEKEND_PRESENCE of it).
PRESENCE = {"staff": 0.85, "student": 0.45, "parent": 0.35}
WEEKEND_PRESENCE = 0.4
SEEN_DAYS = 40  # seen marks are kept as long as the per-user rows (stats.collectors.users.USER_DAYS_RETENTION)

FULL = {"orgs": 100, "messages": 5_000_000, "days": 90, "classes": 20}
QUICK = {"orgs": 3, "messages": 30_000, "days": 14, "classes": 4}


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="a smoke size: 3 schools, 30 000 messages, 14 days")
    p.add_argument("--orgs", type=int, help=f"schools of the district (default {FULL['orgs']})")
    p.add_argument("--messages", type=int, help=f"messages over the days (default {FULL['messages']})")
    p.add_argument("--days", type=int, help=f"local days of history, ending yesterday (default {FULL['days']})")
    p.add_argument("--classes", type=int, help=f"classes of each school (default {FULL['classes']})")
    p.add_argument(
        "--backfill-orgs",
        type=int,
        help="schools the backfill is measured on (default: 20 of the full district, all of --quick); its time per "
        "million messages is extrapolated to the district",
    )
    p.add_argument(
        "--fill-runs", type=int, help="incremental fills measured, the median the figure (default 1, quick 3)"
    )
    p.add_argument("--baseline-runs", type=int, default=5, help="GROUP BY runs measured (the median is the figure)")
    p.add_argument("--dashboard-requests", type=int, default=20, help="dashboard requests measured")
    p.add_argument("--pg", default=DEFAULT_PG, help="PostgreSQL server (no database)")
    p.add_argument("--db", default=DB_NAME, help=f"the benchmark's database, named {DB_NAME}* (default {DB_NAME})")
    p.add_argument("--keep-db", action="store_true", help="leave the benchmark's database in place after the run")
    p.add_argument("--json", type=Path, help="also write the figures to this file")
    p.add_argument("--slowest", type=int, default=0, help="print the N slowest statements of the last incremental fill")
    p.add_argument(
        "--fill-only",
        action="store_true",
        help="measure only the incremental fill and the GROUP BY (every school seeded as filled up to the day before)",
    )
    p.add_argument("--build-only", action="store_true", help="build the district, keep the database, measure nothing")
    p.add_argument(
        "--halve-history",
        action="store_true",
        help="after the other figures, delete the older half of the days' messages and measure the fill and both "
        "GROUP BYs again: what each costs with half the history (changes the database: not with --keep-db or "
        "--reuse)",
    )
    p.add_argument(
        "--reuse",
        action="store_true",
        help="measure on the district a --build-only or --keep-db run of the same size left (built the same day): "
        "its statistics tables are emptied and the per-person day rows written again; the database is kept",
    )
    args = p.parse_args(argv)
    args.keep_db = args.keep_db or args.build_only or args.reuse
    if args.reuse and args.build_only:
        p.error("--reuse measures a district built before: not with --build-only")
    if args.halve_history and args.keep_db:
        p.error("--halve-history deletes half of the messages: only on a district the run throws away")
    size = QUICK if args.quick else FULL
    for key, value in size.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    if args.backfill_orgs is None:
        args.backfill_orgs = args.orgs if args.quick else min(20, args.orgs)
    if args.fill_runs is None:
        args.fill_runs = 3 if args.quick else 1
    if not args.db.startswith(DB_NAME):
        p.error(f"--db: a name starting with {DB_NAME}")
    if not 1 <= args.backfill_orgs <= args.orgs:
        p.error("--backfill-orgs: 1 … --orgs")
    if not (1 <= args.orgs <= 200 and 1_000 <= args.messages <= 10_000_000 and 4 <= args.days <= 120):
        p.error("keep the run bounded: 1–200 schools, 1 000–10 000 000 messages, 4–120 days")
    if not 1 <= args.classes <= 40:
        p.error("--classes: 1–40")
    if not (1 <= args.fill_runs <= 10 and 1 <= args.baseline_runs <= 50 and 1 <= args.dashboard_requests <= 500):
        p.error("keep the run bounded: at most 10 fills, 50 GROUP BYs and 500 dashboard requests")
    return args


# ---- the district ---------------------------------------------------------------------------------------------


def staff_count(classes: int) -> int:
    """Staff of a school: a director, a deputy, a curator per class, a few other teachers and an administrator."""
    return classes + 12


def per_day_counts(total: int, days: list[date]) -> list[int]:
    """The messages of each day: proportional to the weekday's weight, summing to `total` exactly."""
    weights = [WEEKDAY_WEIGHT[d.weekday()] for d in days]
    counts = [int(total * w / sum(weights)) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % len(counts)] += 1
    return counts


def sql(cursor, statement: str, params=None) -> None:
    cursor.execute(statement, params)


def build_structure(args, run, first_day: date) -> dict:
    """Schools, staff groups, years, classes and chats through the ORM (a few thousand rows); people, memberships,
    placements, parent links, curators and chat members in SQL, set-based."""
    from django.db import connection

    from chats.models import Chat
    from orgs.models import AcademicYear, Group, Organisation
    from stats.days import day_start

    created = day_start(first_day - timedelta(days=30), TIME_ZONE)
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(
                kind="school",
                full_name=f"МБОУ «Средняя школа № {n + 1}» нагрузочного района",
                short_name=f"Школа № {n + 1}",
                address=f"г. Тестов, ул. Нагрузочная, д. {n + 1}",
                region="Тестовая область",
                municipality=MUNICIPALITY,
                time_zone=TIME_ZONE,
                created_at=created,
            )
            for n in range(args.orgs)
        ]
    )
    Group.objects.bulk_create(
        [Group(organisation=o, kind=Group.Kind.STAFF, name=o.vocabulary.staff_group, created_at=created) for o in orgs]
    )
    years = AcademicYear.objects.bulk_create(
        [
            AcademicYear(organisation=o, name="2026/2027", starts_on=YEAR[0], ends_on=YEAR[1], is_current=True)
            for o in orgs
        ]
    )
    classes = []
    for o, year in zip(orgs, years, strict=True):
        for c in range(args.classes):
            grade, letter = 1 + c % 11, "АБВГД"[c // 11]
            classes.append(
                Group(
                    organisation=o,
                    kind=Group.Kind.CLASS,
                    name=f"{grade}{letter}",
                    grade=grade,
                    letter=letter,
                    academic_year=year,
                    created_at=created,
                    # Two classes in three have a planned size; a class of 25 planned for 28 is 89 % joined.
                    expected_size=PLANNED_SIZE if c % 3 else None,
                )
            )
    classes = Group.objects.bulk_create(classes)
    chats = []
    for n, o in enumerate(orgs):
        chats.append((n, None, Chat(organisation=o, kind="general_channel", title="Общий канал", created_at=created)))
        chats.append((n, None, Chat(organisation=o, kind="staff_channel", title="Сотрудники", created_at=created)))
        for j in range(OTHER_CHATS):
            chats.append((n, j, Chat(organisation=o, kind="other", title=f"Кружок № {j + 1}", created_at=created)))
    for i, g in enumerate(classes):
        n, c = divmod(i, args.classes)
        for kind, title in (("class", "Класс"), ("class_parents", "Родители"), ("class_teachers", "Педагоги")):
            chats.append((n, c, Chat(organisation=g.organisation, kind=kind, group=g, title=f"{title} {g.name}")))
    Chat.objects.bulk_create([chat for _, _, chat in chats])
    Chat.objects.filter(organisation__in=orgs).update(created_at=created)

    staff = staff_count(args.classes)
    students = args.classes * STUDENTS_PER_CLASS
    per_org = staff + 2 * students  # staff, students, one parent account per student slot
    with connection.cursor() as cur:
        sql(cur, "SELECT coalesce(max(id), 0) FROM accounts_user")
        base = cur.fetchone()[0] + 1000
        sql(cur, "CREATE UNLOGGED TABLE bench_org (n int PRIMARY KEY, org_id bigint)")
        cur.executemany("INSERT INTO bench_org VALUES (%s, %s)", [(n, o.pk) for n, o in enumerate(orgs)])
        sql(cur, "CREATE UNLOGGED TABLE bench_class (n int, c int, group_id bigint, PRIMARY KEY (n, c))")
        cur.executemany(
            "INSERT INTO bench_class VALUES (%s, %s, %s)",
            [(*divmod(i, args.classes), g.pk) for i, g in enumerate(classes)],
        )
        sql(cur, "CREATE UNLOGGED TABLE bench_chat (chat_id bigint PRIMARY KEY, n int, kind text, c int)")
        cur.executemany(
            "INSERT INTO bench_chat VALUES (%s, %s, %s, %s)", [(chat.pk, n, chat.kind, c) for n, c, chat in chats]
        )
        # Each person of the district: kind (staff/student/parent), k (index within the kind), c (class), child.
        sql(
            cur,
            """
            CREATE UNLOGGED TABLE bench_people AS
            SELECT %(base)s + n * %(per)s + p AS user_id, n, o.org_id,
                   CASE WHEN p < %(staff)s THEN 'staff' WHEN p < %(staff)s + %(st)s THEN 'student' ELSE 'parent' END
                     AS kind,
                   CASE WHEN p < %(staff)s THEN p WHEN p < %(staff)s + %(st)s THEN p - %(staff)s
                        ELSE p - %(staff)s - %(st)s END AS k
            FROM bench_org o, generate_series(0, %(per)s - 1) p
            """,
            {"base": base, "per": per_org, "staff": staff, "st": students},
        )
        sql(cur, "ALTER TABLE bench_people ADD COLUMN c int, ADD COLUMN child_k int")
        # A student's class is k mod classes; parent k is the parent of student k, but every tenth parent account is
        # a second parent of the student before (so one student in ten has no parent linked, one in ten has two).
        sql(cur, "UPDATE bench_people SET c = k %% %s WHERE kind = 'student'", [args.classes])
        sql(
            cur,
            "UPDATE bench_people SET child_k = CASE WHEN k %% 10 = 9 THEN k - 1 ELSE k END, c = "
            "(CASE WHEN k %% 10 = 9 THEN k - 1 ELSE k END) %% %s WHERE kind = 'parent'",
            [args.classes],
        )
        # Curators: staff 2 … classes + 1 curate classes 0 … classes − 1.
        sql(cur, "UPDATE bench_people SET c = k - 2 WHERE kind = 'staff' AND k BETWEEN 2 AND %s", [args.classes + 1])
        sql(cur, "CREATE INDEX ON bench_people (n, kind, k)")
        sql(
            cur,
            """
            INSERT INTO accounts_user (id, password, is_superuser, last_name, first_name, patronymic, phone,
                                       is_active, is_staff, date_joined, managed_by_parent)
            SELECT user_id, '!', false, 'Нагрузочный', 'Участник ' || user_id, '',
                   '+7990' || lpad(user_id::text, 7, '0'), true, false, %s, false
            FROM bench_people
            """,
            [created],
        )
        # Memberships: staff are teachers (0 the director, 1 a deputy, every tenth unverified), the last an admin.
        sql(
            cur,
            """
            INSERT INTO orgs_membership (organisation_id, user_id, role, position, valid_from, end_reason,
                                         verification, verified_at, verification_note)
            SELECT org_id, user_id,
                   CASE WHEN kind = 'staff' AND k = %(staff)s - 1 THEN 'admin'
                        WHEN kind = 'staff' THEN 'teacher' ELSE kind END,
                   CASE WHEN kind <> 'staff' OR k = %(staff)s - 1 THEN ''
                        WHEN k = 0 THEN 'director' WHEN k = 1 THEN 'deputy' ELSE 'teacher' END,
                   %(created)s, '',
                   CASE WHEN kind <> 'staff' OR k = %(staff)s - 1 THEN 'not_required'
                        WHEN k %% 10 = 7 THEN 'pending' ELSE 'verified' END,
                   CASE WHEN kind = 'staff' AND k < %(staff)s - 1 AND k %% 10 <> 7 THEN %(created)s END,
                   ''
            FROM bench_people
            """,
            {"staff": staff, "created": created},
        )
        sql(
            cur,
            """
            INSERT INTO orgs_placement (organisation_id, student_id, group_id, valid_from)
            SELECT p.org_id, p.user_id, c.group_id, %s
            FROM bench_people p JOIN bench_class c ON c.n = p.n AND c.c = p.c WHERE p.kind = 'student'
            """,
            [created],
        )
        sql(
            cur,
            """
            INSERT INTO orgs_parentlink (organisation_id, parent_id, child_id, valid_from)
            SELECT p.org_id, p.user_id, s.user_id, %s
            FROM bench_people p JOIN bench_people s ON s.n = p.n AND s.kind = 'student' AND s.k = p.child_k
            WHERE p.kind = 'parent'
            """,
            [created],
        )
        sql(
            cur,
            """
            INSERT INTO orgs_curatorassignment (organisation_id, group_id, teacher_id, valid_from)
            SELECT p.org_id, c.group_id, p.user_id, %s
            FROM bench_people p JOIN bench_class c ON c.n = p.n AND c.c = p.c WHERE p.kind = 'staff'
            """,
            [created],
        )
        # Chat members: a class chat holds its students and curator; the parents' chat the parents and the curator;
        # the teachers' chat the curator and the director; the staff channel the staff; a club one student in six.
        sql(
            cur,
            """
            INSERT INTO chats_chatmember (chat_id, user_id, role, joined_at, managed_by_structure)
            SELECT ch.chat_id, p.user_id, 'member', %s, true
            FROM bench_chat ch JOIN bench_people p ON p.n = ch.n AND (
                   (ch.kind = 'class' AND p.c = ch.c AND p.kind IN ('student', 'staff'))
                OR (ch.kind = 'class_parents' AND p.c = ch.c AND p.kind IN ('parent', 'staff'))
                OR (ch.kind = 'class_teachers' AND p.kind = 'staff' AND (p.c = ch.c OR p.k = 0))
                OR (ch.kind = 'staff_channel' AND p.kind = 'staff')
                OR (ch.kind = 'general_channel' AND p.kind = 'staff' AND p.k IN (0, 1))
                OR (ch.kind = 'other' AND ((p.kind = 'student' AND p.k %% %s = ch.c) OR (p.kind = 'staff' AND p.k = 1)))
            )
            """,
            [created, OTHER_CHATS],
        )
        # The draw of a message's chat: a chat appears in SLOT_WEIGHT[kind] slots, each with its possible authors.
        sql(
            cur,
            """
            CREATE UNLOGGED TABLE bench_slot AS
            SELECT (row_number() OVER (ORDER BY ch.chat_id, w) - 1)::int AS slot, ch.chat_id, ch.kind, a.authors
            FROM bench_chat ch
            JOIN (SELECT chat_id, array_agg(user_id ORDER BY user_id) AS authors FROM chats_chatmember GROUP BY chat_id)
              a ON a.chat_id = ch.chat_id
            JOIN (VALUES """
            + ", ".join(f"('{kind}', {w})" for kind, w in SLOT_WEIGHT.items())
            + """) AS weights(kind, weight) ON weights.kind = ch.kind,
            generate_series(1, weights.weight) w
            """,
        )
        sql(cur, "ALTER TABLE bench_slot ADD PRIMARY KEY (slot)")
        sql(cur, "SELECT count(*) FROM bench_slot")
        slots = cur.fetchone()[0]
        sql(cur, "SELECT count(*) FROM bench_people")
        people = cur.fetchone()[0]
        for table in ("accounts_user", "orgs_membership", "orgs_placement", "orgs_parentlink",
                      "orgs_curatorassignment", "chats_chatmember"):  # fmt: skip
            sql(cur, f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    run.step(f"  {args.orgs} schools, {len(classes)} classes, {len(chats)} chats, {people} people")
    return {"orgs": [o.pk for o in orgs], "slots": slots, "people": people, "classes": len(classes)}


# The texts of the messages, by kind (`x.k` below): the portal writes a text's shape and digest with it (see
# chats.text); here they come from the same function for the few fixed texts, and from an md5 for the texts that
# are unique anyway (`Сообщение N: …`), which is all a digest has to tell: which texts are copies of each other.
HOMEWORK = "Домашнее задание на завтра: параграф {}, упражнения 1–3."
FIXED_TEXTS = ["", "👍", "Спасибо", "Ок!", *(HOMEWORK.format(p) for p in range(10, 15))]

MESSAGE_SQL = """
INSERT INTO chats_message (text, text_shape, text_digest, repeats, created_at, chat_id, author_id, deleted_at,
                           deleted_by_id)
SELECT coalesce(f.text, 'Сообщение ' || x.g || ': расписание на неделю, вопросы к собранию, ссылки на материалы.'),
       coalesce(f.shape, %(words)s),
       coalesce(f.digest, ('x' || substr(md5('Сообщение ' || x.g), 1, 16))::bit(64)::bigint),
       false,
       x.at,
       s.chat_id,
       CASE WHEN s.kind = 'general_channel' AND x.a < 0.3 THEN NULL
            ELSE s.authors[1 + floor(x.a * array_length(s.authors, 1))::int] END,
       CASE WHEN x.g %% 53 = 0 THEN x.at + interval '2 minutes' END,
       CASE WHEN x.g %% 53 = 0 THEN s.authors[1] END
FROM (
    SELECT g, a, slot, at,
           CASE WHEN g %% 53 = 0 THEN 0 WHEN r < 0.06 THEN 1 WHEN r < 0.09 THEN 2 WHEN r < 0.11 THEN 3
                WHEN r < 0.16 THEN 4 + g %% 5 END AS k
    FROM (
        SELECT g, random() AS r, random() AS a, floor(random() * %(slots)s)::int AS slot,
               (%(day)s::date + make_interval(secs => 7 * 3600 + (random() + random()) / 2 * 15 * 3600))
                   AT TIME ZONE %(tz)s AS at
        FROM generate_series(%(from)s, %(to)s) g
    ) drawn
) x JOIN bench_slot s ON s.slot = x.slot
LEFT JOIN bench_text f ON f.k = x.k
ORDER BY x.at
"""

PRESENCE_SQL = """
INSERT INTO stats_presence (organisation_id, user_id, day)
SELECT org_id, user_id, %(day)s FROM bench_people
WHERE random() < %(factor)s * CASE kind WHEN 'staff' THEN %(staff)s WHEN 'student' THEN %(student)s
                                        ELSE %(parent)s END
"""


def mark_repeats(run) -> None:
    """The portal marks a message that repeats its author's text of the previous 24 hours as it is written (see
    chats.repeats); the messages inserted here get the mark the way the migration that added it marks a history."""
    from chats.models import Message
    from chats.repeats import repeats_recount_history

    run.step(f"  repeats of a text of the previous 24 hours marked: {repeats_recount_history(Message):,}")


def build_messages(args, run, days: list[date], counts: list[int], slots: int) -> None:
    from django.db import connection

    from chats.text import Shape, describe

    done, started = 0, time.perf_counter()
    with connection.cursor() as cur:
        sql(cur, "CREATE UNLOGGED TABLE bench_text (k int PRIMARY KEY, text text, shape int, digest bigint)")
        cur.executemany(
            "INSERT INTO bench_text VALUES (%s, %s, %s, %s)",
            [(k, text, *describe(text)) for k, text in enumerate(FIXED_TEXTS)],
        )
        sql(cur, "SELECT setseed(0.42)")
        for n, (day, count) in enumerate(zip(days, counts, strict=True)):
            params = {"slots": slots, "day": day, "tz": TIME_ZONE, "from": done + 1, "to": done + count}
            params["words"] = int(Shape.WORDS)
            sql(cur, MESSAGE_SQL, params)
            done += count
            if n % 10 == 9 or n == len(days) - 1:
                rate = done / (time.perf_counter() - started)
                run.step(f"  messages: {done:,} of {args.messages:,} ({n + 1} of {len(days)} days, {rate:,.0f}/s)")
        mark_repeats(run)
        for day in days[-SEEN_DAYS:]:
            factor = 1.0 if WEEKDAY_WEIGHT[day.weekday()] > 0.5 else WEEKEND_PRESENCE
            sql(cur, PRESENCE_SQL, {"day": day, "factor": factor, **PRESENCE})
        sql(cur, "SELECT count(*) FROM stats_presence")
        run.step(f"  seen marks of the last {min(SEEN_DAYS, len(days))} days: {cur.fetchone()[0]:,}")


@contextmanager
def triggers_off():
    """The build's rows are consistent by construction: skip the per-row foreign-key triggers while it runs (only in
    this session, and only where the role may; elsewhere the build is just slower)."""
    from django.db import DatabaseError, connection, transaction

    try:
        with transaction.atomic(), connection.cursor() as cur:
            sql(cur, "SET session_replication_role = replica")
        off = True
    except DatabaseError:
        off = False
    try:
        yield
    finally:
        if off:
            with connection.cursor() as cur:
                sql(cur, "RESET session_replication_role")


# ---- measuring --------------------------------------------------------------------------------------------------


FILLING = threading.local()  # .id: the indicator whose batch this thread is filling, for --slowest


@contextmanager
def query_counter(timed: list | None = None):
    """Counts the queries run inside the block on every connection — the fill's lanes run on threads with their
    own (cheap: no SQL kept); with `timed`, also appends (seconds, indicator, statement) of each query to it."""
    from django.db.backends.utils import CursorWrapper

    seen = [0]
    original = CursorWrapper._execute_with_wrappers

    def counted(self, sql, params, many, executor):
        with TOTALS_LOCK:
            seen[0] += 1
        if timed is None:
            return original(self, sql, params, many, executor)
        started = time.perf_counter()
        try:
            return original(self, sql, params, many, executor)
        finally:
            with TOTALS_LOCK:
                timed.append((time.perf_counter() - started, getattr(FILLING, "id", ""), sql))

    CursorWrapper._execute_with_wrappers = counted
    try:
        yield seen
    finally:
        CursorWrapper._execute_with_wrappers = original


TOTALS_LOCK = threading.Lock()


@contextmanager
def per_indicator_clock(totals: dict, computes: dict):
    """Time each batch's fill (the whole transaction) and its compute, per indicator, while the block runs."""
    from stats.registry import indicators
    from stats.services import fill

    original_fill = fill.fill_batch
    originals = {}

    def timed_fill(*, indicator, batch, **kwargs):
        started = time.perf_counter()
        FILLING.id = indicator.id
        try:
            original_fill(indicator=indicator, batch=batch, **kwargs)
        finally:
            FILLING.id = ""
        with TOTALS_LOCK:
            totals[indicator.id] += time.perf_counter() - started

    def timed_compute(ind, compute):
        def wrapper(batch):
            started = time.perf_counter()
            rows = compute(batch)
            with TOTALS_LOCK:
                computes[ind.id] += time.perf_counter() - started
            return rows

        return wrapper

    for ind in indicators():
        originals[ind.id] = (ind.compute, ind.advance)
        object.__setattr__(ind, "compute", timed_compute(ind, ind.compute))  # the dataclass is frozen
        if ind.advance is not None:
            object.__setattr__(ind, "advance", timed_compute(ind, ind.advance))
    fill.fill_batch = timed_fill
    try:
        yield
    finally:
        fill.fill_batch = original_fill
        for ind in indicators():
            object.__setattr__(ind, "compute", originals[ind.id][0])
            object.__setattr__(ind, "advance", originals[ind.id][1])


BASELINE_SQL = """
SELECT c.organisation_id, c.kind, count(*)
FROM chats_message m JOIN chats_chat c ON c.id = m.chat_id
WHERE m.created_at >= %s AND m.created_at < %s
GROUP BY c.organisation_id, c.kind
"""


def build_user_days(run, org_ids: list[int], first: date, last: date) -> None:
    """The per-person day rows of the days first..last, as the portal writes them when people act (a seen mark, a
    first post of the day: `stats.services.seen`): one row per person, organisation and day with the roles held,
    present and took part. Written set-based from the same sources a recount reads (seen marks, messages,
    memberships), a day after the other as the portal writes them (a day's rows lie together in the table, not
    spread over the pages of forty days); filling a day then finds them in place."""
    from django.db import connection

    from stats.days import day_start
    from stats.models import UserDay

    bits = " ".join(f"WHEN '{role}' THEN {bit}" for role, bit in UserDay.ROLE_BITS.items())
    with connection.cursor() as cur:
        sql(
            cur,
            f"""
            INSERT INTO stats_userday (organisation_id, user_id, day, roles, present, took_part)
            SELECT x.organisation_id, x.user_id, x.day, coalesce(r.roles, 0), bool_or(x.present), bool_or(x.took_part)
            FROM (
                SELECT organisation_id, user_id, day, true AS present, false AS took_part FROM stats_presence
                WHERE organisation_id = ANY(%(orgs)s) AND day >= %(first)s AND day <= %(last)s
                UNION ALL
                SELECT c.organisation_id, m.author_id, (m.created_at AT TIME ZONE %(tz)s)::date, false, true
                FROM chats_message m JOIN chats_chat c ON c.id = m.chat_id
                WHERE c.organisation_id = ANY(%(orgs)s) AND m.author_id IS NOT NULL
                  AND m.created_at >= %(start)s AND m.created_at < %(end)s
            ) x
            LEFT JOIN (
                SELECT organisation_id, user_id, bit_or(CASE role {bits} END) AS roles FROM orgs_membership
                WHERE valid_to IS NULL GROUP BY organisation_id, user_id
            ) r ON r.organisation_id = x.organisation_id AND r.user_id = x.user_id
            GROUP BY x.organisation_id, x.user_id, x.day, r.roles
            ORDER BY x.day, x.organisation_id, x.user_id
            """,
            {
                "orgs": org_ids,
                "first": first,
                "last": last,
                "tz": TIME_ZONE,
                "start": day_start(first, TIME_ZONE),
                "end": day_start(last + timedelta(days=1), TIME_ZONE),
            },
        )
        sql(cur, "SELECT count(*) FROM stats_userday")
        run.step(f"  per-person day rows of {first} … {last}: {cur.fetchone()[0]:,}")


# What the measurements write: emptied when a kept district is measured again.
DERIVED_TABLES = (
    "stats_orgdaycount",
    "stats_classdaycount",
    "stats_fillstate",
    "stats_dirtyday",
    "stats_userday",
    "stats_lastactive",
    "stats_lastactiveasof",
)


def reuse_district(args, run, days: list[date]) -> dict:
    """The district an earlier run kept, as the build left it: checked to be of the asked size and built the same day,
    its statistics tables emptied and the per-person day rows written again."""
    from django.db import connection

    from orgs.models import Group, Organisation
    from stats.days import day_start

    with connection.cursor() as cur:
        sql(cur, "SELECT to_regclass('bench_people') IS NOT NULL")
        if not cur.fetchone()[0]:
            raise RuntimeError(f"{args.db} holds no district: build it first (--build-only --db {args.db})")
        sql(cur, "SELECT count(*) FROM bench_people")
        people = cur.fetchone()[0]
        sql(
            cur,
            "SELECT count(*), min(created_at) >= %s, max(created_at) < %s, max(created_at) >= %s FROM chats_message",
            [day_start(days[0], TIME_ZONE), day_start(days[-1] + timedelta(days=1), TIME_ZONE),
             day_start(days[-1], TIME_ZONE)],
        )  # fmt: skip
        messages, *within = cur.fetchone()
    orgs = list(Organisation.objects.order_by("pk").values_list("pk", flat=True))
    classes = Group.objects.filter(kind=Group.Kind.CLASS).count()
    if (len(orgs), messages, classes) != (args.orgs, args.messages, args.orgs * args.classes) or not all(within):
        raise RuntimeError(
            f"{args.db} holds {len(orgs)} schools, {classes} classes, {messages:,} messages, not over "
            f"{days[0]} … {days[-1]}: not the asked district (another size, or built another day)"
        )
    run.step(f"reusing the district: {len(orgs)} schools, {classes} classes, {messages:,} messages; emptying "
             "the statistics tables")  # fmt: skip
    with connection.cursor() as cur:
        sql(cur, f"TRUNCATE {', '.join(DERIVED_TABLES)}")
    seen_days = days[-SEEN_DAYS:]
    build_user_days(run, orgs, seen_days[0], seen_days[-1])
    with connection.cursor() as cur:
        sql(cur, f"VACUUM ANALYZE {', '.join(DERIVED_TABLES)}")
    return {"orgs": orgs, "people": people, "classes": classes}


def seed_filled_state(run, org_ids: list[int], day: date) -> None:
    """Leave the schools not backfilled as earlier fills would have: every indicator filled up to the day before
    `day` (their per-person day rows, read by the weekly and monthly counts, are the build's)."""
    from stats.models import FillState
    from stats.registry import indicators

    if not org_ids:
        return
    run.step(f"seeding the fill state of the other {len(org_ids)} schools")
    FillState.objects.bulk_create(
        [
            FillState(indicator=ind.id, organisation_id=org_id, last_filled_day=day - timedelta(days=1))
            for org_id in org_ids
            for ind in indicators()
        ]
    )


def rewind(day: date) -> None:
    """Every school as filled up to the day before `day`: the fill states, and each person's last active days (which
    filling the days in order keeps up) as of that day."""
    from orgs.models import Organisation
    from stats.collectors.active import last_active_rebuild
    from stats.models import FillState

    FillState.objects.update(last_filled_day=day - timedelta(days=1))
    last_active_rebuild(organisation_ids=Organisation.objects.values_list("pk", flat=True), day=day - timedelta(days=1))


def measure_baseline(args, day: date, *, as_the_fill: bool = False) -> dict:
    """The bare GROUP BY of the day's messages, `--baseline-runs` times: planned with the server's settings, or
    (`as_the_fill`) in a transaction planned with the fill's own (`stats.services.fill.planner_settings`)."""
    from django.db import connection, transaction

    from stats.days import day_start
    from stats.services.fill import planner_settings

    start, end = day_start(day, TIME_ZONE), day_start(day + timedelta(days=1), TIME_ZONE)
    times, rows = [], 0
    with transaction.atomic(), connection.cursor() as cur:
        if as_the_fill:
            planner_settings(cur)
        for _ in range(args.baseline_runs):
            started = time.perf_counter()
            sql(cur, BASELINE_SQL, [start, end])
            result = cur.fetchall()
            times.append(time.perf_counter() - started)
        sql(cur, "SELECT count(*) FROM chats_message WHERE created_at >= %s AND created_at < %s", [start, end])
        rows = cur.fetchone()[0]
        sql(cur, "EXPLAIN (ANALYZE, FORMAT JSON) " + BASELINE_SQL, [start, end])
        plan = cur.fetchone()[0]
    top = plan[0]["Plan"] if isinstance(plan, list) else json.loads(plan)[0]["Plan"]
    return {
        "seconds": statistics.median(times),
        "runs": times,
        "groups": len(result),
        "day_messages": rows,
        "message_scan": message_scan(top),
        "rows_read": message_rows_read(top),
    }


def message_scan(node: dict) -> str:
    """How the plan reads chats_message (e.g. "Parallel Seq Scan", "Index Scan using message_chat_created")."""
    if node.get("Relation Name") == "chats_message":
        scan = ("Parallel " if node.get("Parallel Aware") else "") + node["Node Type"]
        return scan + (f" using {node['Index Name']}" if node.get("Index Name") else "")
    for child in node.get("Plans", []):
        found = message_scan(child)
        if found:
            return found
    return ""


def message_rows_read(node: dict) -> int:
    """How many rows of chats_message the analysed plan looked at: those it kept and those its filter or the
    recheck of a lossy bitmap removed, in every process of a parallel scan."""
    if node.get("Relation Name") == "chats_message":
        removed = node.get("Rows Removed by Filter", 0) + node.get("Rows Removed by Index Recheck", 0)
        per_loop = node.get("Actual Rows", 0) + removed
        return round(per_loop * node.get("Actual Loops", 1))
    return sum(message_rows_read(child) for child in node.get("Plans", []))


def measure_fill(args, now, day: date) -> dict:
    """`stats_advance` when `day` (yesterday) is the only one not filled yet, `--fill-runs` times (each time the
    fill state is put back a day first); with the time and queries per indicator of the last run."""
    from stats.services.fill import purge_expired, stats_advance

    purge_expired(now=now)  # what earlier advances would have purged already: not the new day's work
    times, queries, buckets = [], [], 0
    totals, computes = defaultdict(float), defaultdict(float)
    timed = []
    for n in range(args.fill_runs):
        rewind(day)
        last = n == args.fill_runs - 1
        if last:
            totals.clear()
            computes.clear()
        with per_indicator_clock(totals, computes), query_counter(timed if last and args.slowest else None) as seen:
            started = time.perf_counter()
            report = stats_advance(now=now)
            times.append(time.perf_counter() - started)
        if report.busy:
            raise RuntimeError("the fill lease is held by another process")
        queries.append(seen[0])
        buckets = report.buckets
    return {
        "seconds": statistics.median(times),
        "runs": times,
        "queries": queries[-1],
        "buckets": buckets,
        "per_indicator": {k: {"fill": totals[k], "compute": computes[k]} for k in totals},
        "load": os.getloadavg(),
        "slowest": sorted(timed, key=lambda t: -t[0])[: args.slowest],
    }


def messages_of(org_ids: list[int], first: date, last: date) -> int:
    from django.db import connection

    from stats.days import day_start

    with connection.cursor() as cur:
        sql(
            cur,
            "SELECT count(*) FROM chats_message m JOIN chats_chat c ON c.id = m.chat_id "
            "WHERE c.organisation_id = ANY(%s) AND m.created_at >= %s AND m.created_at < %s",
            [org_ids, day_start(first, TIME_ZONE), day_start(last + timedelta(days=1), TIME_ZONE)],
        )
        return cur.fetchone()[0]


def measure_backfill(args, run, now, days: list[date], org_ids: list[int]) -> list[dict]:
    """stats_backfill of the sample schools over the first half of the days, then over all of them."""
    from stats.services.fill import stats_backfill

    sizes = []
    for label, last in (("half", len(days) // 2 - 1), ("full", len(days) - 1)):
        messages = messages_of(org_ids, days[0], days[last])
        run.step(
            f"backfill ({label}) of {len(org_ids)} schools: {days[0]} … {days[last]}, {last + 1} days, "
            f"{messages:,} messages"
        )
        with query_counter() as seen:
            started = time.perf_counter()
            report = stats_backfill(first=days[0], last=days[last], organisation_ids=org_ids, now=now)
            seconds = time.perf_counter() - started
        if report.busy:
            raise RuntimeError("the fill lease is held by another process")
        sizes.append(
            {
                "label": label,
                "schools": len(org_ids),
                "days": last + 1,
                "messages": messages,
                "seconds": seconds,
                "buckets": report.buckets,
                "queries": seen[0],
                "seconds_per_million": seconds / (messages / 1e6),
            }
        )
        run.step(f"  {seconds:.1f} s, {report.buckets:,} buckets, {seen[0]:,} queries")
    return sizes


def measure_dashboard(args, org_id: int) -> dict:
    """The director's dashboard of one school through Django's test client: median time and queries."""
    from django.test import Client

    from orgs.models import Membership, Organisation
    from orgs.permissions import permissions_sync_user

    org = Organisation.objects.get(pk=org_id)
    director = Membership.objects.get(organisation=org, position=Membership.Position.DIRECTOR).user
    permissions_sync_user(organisation=org, user=director)
    client = Client()
    client.force_login(director)
    result = {}
    for period in (30, 90):
        url = f"/orgs/{org_id}/stats/" + ("?days=90" if period == 90 else "")
        for _ in range(3):  # warm-up: templates, the permission caches
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"the dashboard answered {response.status_code}")
        with query_counter() as captured:
            response = client.get(url)
        times = []
        for _ in range(args.dashboard_requests):
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"the dashboard answered {response.status_code}")
        ordered = sorted(times)
        result[period] = {
            "median_ms": statistics.median(times) * 1000,
            "p95_ms": ordered[max(0, round(0.95 * len(ordered)) - 1)] * 1000,
            "queries": captured[0],
            "bytes": len(response.content),
        }
    return result


def check_figures(org_id: int, day: date) -> list[str]:
    """The fill's figures agree with the raw rows: the day's messages of one school, and rows for every school."""
    from django.db import connection

    from stats.days import day_start
    from stats.models import OrgDayCount

    problems = []
    with connection.cursor() as cur:
        sql(
            cur,
            "SELECT count(*) FROM chats_message m JOIN chats_chat c ON c.id = m.chat_id "
            "WHERE c.organisation_id = %s AND m.created_at >= %s AND m.created_at < %s",
            [org_id, day_start(day, TIME_ZONE), day_start(day + timedelta(days=1), TIME_ZONE)],
        )
        raw = cur.fetchone()[0]
    counted = OrgDayCount.objects.filter(
        organisation_id=org_id, indicator="activity.v1", subgroup="messages", day=day
    ).values_list("value", flat=True)
    if list(counted) != [raw]:
        problems.append(f"activity of school {org_id} on {day}: {list(counted)} counted, {raw} messages")
    trivial = OrgDayCount.objects.filter(indicator="activity.v1", subgroup="messages.trivial", day=day).count()
    if not trivial:
        problems.append("no trivial messages counted on the last day")
    return problems


def measure_fill_and_baselines(args, now, day: date) -> tuple[dict, dict]:
    """The incremental fill of `day` and the bare GROUP BY of its messages: the GROUP BY before the fill and again
    after it (with the fill's pages in the cache as well; the faster of the two is the baseline), then planned as
    the fill plans (`baseline["as_the_fill"]`)."""
    baseline = measure_baseline(args, day)
    fill = measure_fill(args, now, day)
    again = measure_baseline(args, day)
    if again["seconds"] < baseline["seconds"]:
        baseline = again
    baseline["as_the_fill"] = measure_baseline(args, day, as_the_fill=True)
    return fill, baseline


def measure_halved(args, run, now, days: list[date]) -> dict:
    """Delete the messages of the older half of the days (the table rewritten, as a district that kept only the
    newer half would have it), then measure the fill of the last day and both GROUP BYs again."""
    from django.db import connection

    from stats.days import day_start

    kept = days[len(days) // 2 :]
    run.step(f"deleting the messages before {kept[0]}: the district with {len(kept)} days of history")
    with triggers_off(), connection.cursor() as cur:
        sql(cur, "DELETE FROM chats_message WHERE created_at < %s", [day_start(kept[0], TIME_ZONE)])
    with connection.cursor() as cur:
        sql(cur, "VACUUM FULL chats_message")
        sql(cur, "ANALYZE chats_message")
        sql(cur, "SELECT count(*) FROM chats_message")
        messages = cur.fetchone()[0]
    run.step(f"measuring the incremental fill and the GROUP BYs with {messages:,} messages")
    fill, baseline = measure_fill_and_baselines(args, now, days[-1])
    return {"days": len(kept), "messages": messages, "fill": fill, "baseline": baseline}


# ---- report -----------------------------------------------------------------------------------------------------


def report_halved(args, fill: dict, baseline: dict, halved: dict) -> None:
    w = 58
    print(f"\nWith half the history ({halved['days']} of {args.days} days, {halved['messages']:,} messages kept):")
    print(f"{'incremental fill of one day, all schools':{w}} {halved['fill']['seconds']:>10.2f} s  "
          f"{halved['fill']['seconds'] / fill['seconds']:.2f} × the fill with the whole history; runs "
          + ", ".join(f"{t:.2f}" for t in halved["fill"]["runs"]))  # fmt: skip
    for label, now_, before in (
        ("bare GROUP BY of the day`s messages (baseline)", halved["baseline"], baseline),
        ("the same GROUP BY planned as the fill plans its reads", halved["baseline"]["as_the_fill"],
         baseline["as_the_fill"]),
    ):  # fmt: skip
        print(f"{label:{w}} {now_['seconds']:>10.3f} s  {now_['seconds'] / before['seconds']:.2f} × with the whole "
              f"history; {now_['message_scan']} reading {now_['rows_read'] / 1e6:.2f} M messages")  # fmt: skip
        print(f"{'  ratio fill ÷ that GROUP BY':{w}} {halved['fill']['seconds'] / now_['seconds']:>10.1f} ×")


def report(args, build: dict, fill: dict, baseline: dict, backfill: list[dict], dashboard: dict) -> dict:
    ratio = fill["seconds"] / baseline["seconds"] if baseline["seconds"] else None
    built = "a kept district made ready" if args.reuse else "build"
    print(
        f"\nUsage statistics benchmark, PostgreSQL: {args.orgs} schools of one municipality, {build['classes']} "
        f"classes, {build['people']:,} people, {args.messages:,} messages over {args.days} days "
        f"({built} {build['seconds']:.0f} s, not measured)"
    )
    w = 58
    print(f"{'':{w}} {'figure':>12}  note")
    print(f"{'incremental fill of one day, all schools (stats_advance)':{w}} {fill['seconds']:>10.2f} s  "
          f"{fill['buckets']} buckets, {fill['queries']:,} queries; runs "
          + ", ".join(f"{t:.2f}" for t in fill["runs"]))  # fmt: skip
    print(f"{'bare GROUP BY of the day`s messages (baseline)':{w}} {baseline['seconds']:>10.3f} s  "
          f"{baseline['day_messages']:,} rows, {baseline['groups']} groups; {baseline['message_scan']} "
          f"reading {baseline['rows_read'] / 1e6:.2f} M of the {args.messages / 1e6:.2f} M messages")  # fmt: skip
    print(f"{'  ratio fill ÷ GROUP BY (goal ≤ 2)':{w}} {ratio:>10.1f} ×")
    same = baseline["as_the_fill"]
    print(f"{'the same GROUP BY planned as the fill plans its reads':{w}} {same['seconds']:>10.3f} s  "
          f"{same['message_scan']} reading {same['rows_read'] / 1e6:.2f} M of the {args.messages / 1e6:.2f} M "
          "messages")  # fmt: skip
    print(f"{'  ratio fill ÷ that GROUP BY':{w}} {fill['seconds'] / same['seconds']:>10.1f} ×")
    for size in backfill:
        label = f"backfill, {size['schools']} schools × {size['days']} days, {size['messages'] / 1e6:.3f} M messages"
        print(f"{label:{w}} {size['seconds']:>10.1f} s  {size['seconds_per_million']:.0f} s per million messages, "
              f"{size['buckets']:,} buckets, {size['queries']:,} queries")  # fmt: skip
    linear = district = None
    if backfill:
        half, full = backfill
        linear = full["seconds_per_million"] / half["seconds_per_million"]
        print(f"{'  ratio of the per-million times, full ÷ half (goal ≈ 1)':{w}} {linear:>10.2f} ×")
        district = full["seconds_per_million"] * args.messages / 1e6
    if backfill and full["schools"] < args.orgs:
        label = f"  backfill of the district, {args.orgs} schools (extrapolated)"
        print(f"{label:{w}} {district / 60:>8.1f} min  {args.messages / 1e6:.1f} M messages × the per-million time")
    for period, d in dashboard.items():
        label = f"dashboard of a school, {period} days, director (median)"
        print(f"{label:{w}} {d['median_ms']:>9.1f} ms  p95 {d['p95_ms']:.1f} ms, {d['queries']} queries, "
              f"{d['bytes']:,} bytes, {args.dashboard_requests} requests")  # fmt: skip
    print("\nIncremental fill per indicator (the last run; seconds of all schools' buckets, compute = the reads):")
    total = sum(v["fill"] for v in fill["per_indicator"].values())
    for key, v in sorted(fill["per_indicator"].items(), key=lambda kv: -kv[1]["fill"]):
        share = 100 * v["fill"] / total if total else 0
        print(f"  {key:28} {v['fill']:8.2f} s  ({share:4.1f} %)   compute {v['compute']:7.2f} s")
    from django.conf import settings

    lanes = settings.STATS_FILL_LANES
    if lanes > 1:
        label = f"(on {lanes} lanes: the times overlap)"
        print(f"  {label:40} sum {total:.2f} s, wall {fill['runs'][-1]:.2f} s")
    else:
        print(f"  {'outside the buckets':28} {fill['runs'][-1] - total:8.2f} s  (fill states, lease, purge)")
    print("  load average after the fill: " + " ".join(f"{x:.1f}" for x in fill["load"]) + f" ({os.cpu_count()} cores)")
    if fill["slowest"]:
        print(f"\nThe {len(fill['slowest'])} slowest statements of the last fill:")
        for seconds, filling, statement in fill["slowest"]:
            print(f"  {seconds:6.3f} s  {filling or '(outside)':20} " + " ".join(statement.split())[:140])
    from stats.registry import REGISTRY, Kind

    for kind, what in ((Kind.ADDITIVE, "the day's events"), (Kind.SNAPSHOT, "end-of-day states")):
        part = sum(v["fill"] for k, v in fill["per_indicator"].items() if REGISTRY[k].kind == kind)
        print(f"  {kind.value + ' indicators (' + what + ')':40} {part:8.2f} s = {part / baseline['seconds']:5.1f} × "
              "the GROUP BY")  # fmt: skip
    return {
        "size": {k: getattr(args, k) for k in ("orgs", "messages", "days", "classes")},
        "build": build,
        "fill": fill,
        "baseline": baseline,
        "ratio_fill_to_group_by": ratio,
        "backfill": backfill,
        "backfill_linearity": linear,
        "backfill_district_seconds": district,
        "dashboard": dashboard,
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    # The dashboard is rendered in process: plain static storage, no collected manifest needed.
    storage = {"DJANGO_STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    with bench_run(args, args.db, extra_env=storage, reuse=args.reuse) as run:
        Path(run.env["DJANGO_STATIC_ROOT"]).mkdir(parents=True, exist_ok=True)
        from django.utils import timezone

        from stats.days import days_between, local_day

        now = timezone.now()  # one instant for the whole run: a local midnight during the run changes nothing
        yesterday = local_day(now, TIME_ZONE) - timedelta(days=1)
        days = list(days_between(yesterday - timedelta(days=args.days - 1), yesterday))
        counts = per_day_counts(args.messages, days)

        built = time.perf_counter()
        seen_days = days[-SEEN_DAYS:]
        if args.reuse:
            build = reuse_district(args, run, days)
        else:
            with triggers_off():
                run.step(f"building the district: {args.orgs} schools × {args.classes} classes")
                build = build_structure(args, run, days[0])
                run.step(f"building {args.messages:,} messages over {args.days} days ({days[0]} … {days[-1]})")
                build_messages(args, run, days, counts, build["slots"])
                build_user_days(run, build["orgs"], seen_days[0], seen_days[-1])
            run.analyze()
        build["seconds"] = time.perf_counter() - built
        if args.build_only:
            run.step(f"built; the database {args.db} is kept")
            return 0

        sample = [] if args.fill_only else build["orgs"][: args.backfill_orgs]
        backfill = measure_backfill(args, run, now, days, sample) if sample else []
        seed_filled_state(run, build["orgs"][len(sample) :], days[-1])
        run.step(f"measuring the incremental fill of the last day of {args.orgs} schools and the GROUP BY baseline")
        fill, baseline = measure_fill_and_baselines(args, now, days[-1])
        dashboard = {}
        if not args.fill_only:
            run.step("measuring the dashboard")
            dashboard = measure_dashboard(args, build["orgs"][0])
        problems = check_figures(build["orgs"][0], days[-1]) + check_figures(build["orgs"][-1], days[-1])

        halved = measure_halved(args, run, now, days) if args.halve_history else None

        figures = report(args, build, fill, baseline, backfill, dashboard)
        if halved:
            report_halved(args, fill, baseline, halved)
            figures["half_history"] = halved
        if args.json:
            args.json.write_text(json.dumps({**figures, "problems": problems}, default=str, indent=2))
        run.step("done")
        if problems:
            print("FAILED: " + "; ".join(problems))
            return 1
        return 0


if __name__ == "__main__":
    sys.exit(main())
