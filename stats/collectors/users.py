"""Who was active: one UserDay row per person and local day (present: opened the portal; took_part: posted or
voted), and the daily, weekly and monthly distinct counts recounted from those rows."""

from datetime import timedelta

from django.db import connection
from django.db.models import Case, F, IntegerField, Value, When

from chats.models import Message, PollVote
from orgs.models import Membership, Placement

from ..days import Batch
from ..models import Presence, UserDay
from ..registry import BatchRows, Grain, Indicator, Kind, register
from ._common import sql_of, valid_at

USER_DAYS_RETENTION = 40
# Distinct-count windows in days, ending with the bucket's day.
WINDOWS = {"dau": 1, "wau": 7, "mau": 30}


def _day_rows_sql(batch: Batch) -> tuple[str, tuple]:
    """The SELECT of the batch's per-user rows from the sources: who opened the portal (seen marks), posted or
    voted that day, with the bits of the roles they held at its end."""
    ids, start, end = batch.organisation_ids, batch.start, batch.end
    seen = Presence.objects.filter(organisation_id__in=ids, day=batch.day).values(
        o=F("organisation_id"), u=F("user_id"), p=Value(1), t=Value(0)
    )
    posted = Message.objects.filter(
        chat__organisation_id__in=ids, created_at__gte=start, created_at__lt=end, author__isnull=False
    ).values(o=F("chat__organisation_id"), u=F("author_id"), p=Value(0), t=Value(1))
    voted = PollVote.objects.filter(
        option__poll__message__chat__organisation_id__in=ids, created_at__gte=start, created_at__lt=end
    ).values(o=F("option__poll__message__chat__organisation_id"), u=F("user_id"), p=Value(0), t=Value(1))
    bits = Case(
        *(When(role=role, then=Value(bit)) for role, bit in UserDay.ROLE_BITS.items()),
        default=Value(0),
        output_field=IntegerField(),
    )
    held = (
        Membership.objects.filter(valid_at(end), organisation_id__in=ids)
        .values(o=F("organisation_id"), u=F("user_id"), bit=bits)
        .distinct()
    )
    parts = [sql_of(q.order_by()) for q in (seen, posted, voted, held)]
    statement = f"""
        SELECT a.o AS o, a.u AS u, %s AS d, COALESCE(r.roles, 0) AS roles, MAX(a.p) = 1 AS present,
            MAX(a.t) = 1 AS took_part
        FROM ({parts[0][0]} UNION ALL {parts[1][0]} UNION ALL {parts[2][0]}) a
        LEFT JOIN (SELECT b.o, b.u, SUM(b.bit) AS roles FROM ({parts[3][0]}) b GROUP BY b.o, b.u) r
            ON r.o = a.o AND r.u = a.u
        GROUP BY a.o, a.u, r.roles
    """  # noqa: S608  (table names from the models, values as parameters)
    params = (connection.ops.adapt_datefield_value(batch.day), *parts[0][1], *parts[1][1], *parts[2][1], *parts[3][1])
    return statement, params


def _insert_head() -> str:
    qn = connection.ops.quote_name
    return f"INSERT INTO {qn(UserDay._meta.db_table)} (organisation_id, user_id, day, roles, present, took_part)"


def compute_user_days(batch: Batch) -> BatchRows:
    """The batch's per-user rows rebuilt from the sources with one INSERT … SELECT (the fill has deleted the old
    ones): what a recount or a backfill does. The indicator returns no rows of its own."""
    select, params = _day_rows_sql(batch)
    with connection.cursor() as cursor:
        cursor.execute(f"{_insert_head()} {select}", params)
    return BatchRows()


# Rows of one upsert statement (SQLite allows 32 766 parameters to a statement).
UPSERT_CHUNK = 1000


def advance_user_days(batch: Batch) -> BatchRows:
    """The batch's per-user rows when the day is filled for the first time: the seen marks and posts wrote them as
    they happened (`services/seen.py`), so the rows are only completed — what was loaded without them (imports,
    votes) is added, and the roles become those held at the day's end. The same rows as `compute_user_days`.

    The rows that differ from the sources are found by a plain SELECT (which PostgreSQL may run in parallel, an
    INSERT … SELECT never) and only those are written: usually none."""
    select, params = _day_rows_sql(batch)
    written, written_params = sql_of(
        UserDay.objects.filter(organisation_id__in=batch.organisation_ids, day=batch.day)
        .values("organisation_id", "user_id", "roles", "present", "took_part")
        .order_by()
    )
    differing = f"""
        SELECT s.o, s.u, s.d, s.roles, s.present, s.took_part
        FROM ({select}) s
        LEFT JOIN ({written}) w ON w.organisation_id = s.o AND w.user_id = s.u
        WHERE w.user_id IS NULL OR w.roles <> s.roles OR (s.present AND NOT w.present)
            OR (s.took_part AND NOT w.took_part)
    """  # noqa: S608  (table names from the models, values as parameters)
    table = connection.ops.quote_name(UserDay._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(differing, (*params, *written_params))
        rows = cursor.fetchall()
        for n in range(0, len(rows), UPSERT_CHUNK):
            chunk = rows[n : n + UPSERT_CHUNK]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"""
                {_insert_head()} VALUES {values}
                ON CONFLICT (organisation_id, user_id, day) DO UPDATE
                SET present = (excluded.present OR {table}.present),
                    took_part = (excluded.took_part OR {table}.took_part), roles = excluded.roles
                """,  # noqa: S608  (table names from the models, values as parameters)
                [value for row in chunk for value in row],
            )
    return BatchRows()


# The per-person last days read by the distinct counts: column -> (key, condition on a row of `g`). "Present"
# means any row (the person was on the portal or took part); ".took_part" only the days they posted or voted.
def _last_days() -> dict[str, tuple[str, str]]:
    roles = {"all": "1 = 1", **{name: f"(g.roles & {bit}) > 0" for name, bit in UserDay.ROLE_BITS.items()}}
    columns = {}
    for n, (role, has_role) in enumerate(roles.items()):
        columns[f"l{n}"] = (role, has_role)
        columns[f"l{n}t"] = (f"{role}.took_part", f"g.took_part AND {has_role}")
    return columns


def compute_active_users(batch: Batch) -> BatchRows:
    """Distinct people over the windows ending with the day, counted in the database: each person's last day in
    each role (present, and taking part) from one grouping of the month's rows by person, then per organisation
    how many of those days fall in each window; the same per class for the students placed in it at the day's end.
    One query."""
    ids, day = batch.organisation_ids, batch.day
    longest = max(WINDOWS.values())
    columns = _last_days()
    month, month_params = sql_of(
        UserDay.objects.filter(organisation_id__in=ids, day__gt=day - timedelta(days=longest), day__lte=day)
        .values("organisation_id", "user_id", "roles", "took_part", "day")
        .order_by()
    )
    # One grouping of the month's rows by person (a grouping by person and roles first costs a third more).
    lasts = ", ".join(f"MAX(CASE WHEN {condition} THEN g.day END) AS {c}" for c, (_k, condition) in columns.items())
    last = f"SELECT g.organisation_id, g.user_id, {lasts} FROM ({month}) g GROUP BY g.organisation_id, g.user_id"
    last_params = month_params
    placed, placed_params = sql_of(
        Placement.objects.filter(valid_at(batch.end), organisation_id__in=ids)
        .values("organisation_id", "group_id", "student_id")
        .order_by()
    )
    adapt = connection.ops.adapt_datefield_value
    windows = [(window, adapt(day - timedelta(days=days))) for window, days in WINDOWS.items()]
    org_sums = [f"SUM(CASE WHEN x.{c} > %s THEN 1 ELSE 0 END)" for _w, _a in windows for c in columns]
    student = next(c for c, (key, _q) in columns.items() if key == "student")
    class_sums = [f"SUM(CASE WHEN x.{student} > %s THEN 1 ELSE 0 END)" for _w, _a in windows]
    class_sums += ["0"] * (len(org_sums) - len(class_sums))  # both halves of the UNION have the same columns
    statement = f"""
        WITH x AS ({last})
        SELECT x.organisation_id, NULL, {", ".join(org_sums)} FROM x GROUP BY x.organisation_id
        UNION ALL
        SELECT p.organisation_id, p.group_id, {", ".join(class_sums)}
        FROM ({placed}) p JOIN x ON x.organisation_id = p.organisation_id AND x.user_id = p.student_id
        GROUP BY p.organisation_id, p.group_id
    """  # noqa: S608  (table names from the models, values as parameters)
    params = (
        *last_params,
        *(after for _w, after in windows for _c in columns),
        *(after for _w, after in windows),
        *placed_params,
    )
    out = BatchRows()
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        for org, group_id, *counts in cursor.fetchall():
            rows = out[org]
            if group_id is None:
                for n, (window, _after) in enumerate(windows):
                    for m, (key, _q) in enumerate(columns.values()):
                        rows.add(f"{window}.{key}", counts[n * len(columns) + m])
            else:
                for n, (window, _after) in enumerate(windows):
                    rows.add_class(group_id, f"{window}.student", counts[n])
    return out


register(
    Indicator(
        key="user_days",
        version=1,
        kind=Kind.ADDITIVE,
        grains=(Grain.USER,),
        compute=compute_user_days,
        advance=advance_user_days,
        retention_days=USER_DAYS_RETENTION,
        description="Активность каждого участника за день (был на портале, писал или голосовал).",
    )
)
register(
    Indicator(
        key="active_users",
        version=1,
        kind=Kind.SNAPSHOT,
        grains=(Grain.ORGANISATION, Grain.CLASS),
        compute=compute_active_users,
        description="Активные за день, 7 и 30 дней (различные люди) по ролям.",
    )
)
