"""Who was active: one UserDay row per person and local day (present: opened the portal; took_part: posted or
voted). The daily, weekly and monthly distinct counts are made from them by `active.py`."""

from django.db import connection
from django.db.models import Case, F, IntegerField, Value, When

from chats.models import Message, PollVote
from orgs.models import Membership

from ..days import Batch
from ..models import LastActiveAsOf, Presence, UserDay
from ..registry import BatchRows, Grain, Indicator, Kind, register
from ._common import sql_of, valid_at

USER_DAYS_RETENTION = 40


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


def _rows_rewritten(batch: Batch) -> None:
    """The batch's day rows are being written again: the people's last days kept as of that day or later were made
    from the old ones, and are rebuilt when next counted (see `active.py`)."""
    LastActiveAsOf.objects.filter(organisation_id__in=batch.organisation_ids, day__gte=batch.day).delete()


def compute_user_days(batch: Batch) -> BatchRows:
    """The batch's per-user rows rebuilt from the sources with one INSERT … SELECT (the fill has deleted the old
    ones): what a recount or a backfill does. The indicator returns no rows of its own."""
    _rows_rewritten(batch)
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
    _rows_rewritten(batch)
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
