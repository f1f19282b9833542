"""Who was active: one UserDay row per person and local day (present: opened the portal; took_part: posted or
voted). The daily, weekly and monthly distinct counts are made from them by `active.py`."""

from django.db import connection
from django.db.models import Case, F, IntegerField, Value, When

from chats.models import Message, PollVote
from orgs.models import Membership
from portal.sql import placeholders

from ..days import Batch
from ..models import LastActiveAsOf, Presence, UserDay
from ..registry import BatchRows, Grain, Indicator, Kind, register
from ._common import sql_of, valid_at

USER_DAYS_RETENTION = 40


def _sources(batch: Batch) -> tuple[str, tuple]:
    """The SELECT of who opened the portal (seen marks), posted or voted on the batch's day: (o, u, p, t) rows, a
    person as often as they acted."""
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
    parts = [sql_of(q.order_by()) for q in (seen, posted, voted)]
    return " UNION ALL ".join(sql for sql, _params in parts), tuple(p for _sql, params in parts for p in params)


def _day_rows_sql(batch: Batch) -> tuple[str, tuple]:
    """The SELECT of the batch's per-user rows from the sources: who opened the portal, posted or voted that day,
    with the bits of the roles they held at its end."""
    bits = Case(
        *(When(role=role, then=Value(bit)) for role, bit in UserDay.ROLE_BITS.items()),
        default=Value(0),
        output_field=IntegerField(),
    )
    held, held_params = sql_of(
        Membership.objects.filter(valid_at(batch.end), organisation_id__in=batch.organisation_ids)
        .values(o=F("organisation_id"), u=F("user_id"), bit=bits)
        .distinct()
        .order_by()
    )
    sources, source_params = _sources(batch)
    statement = f"""
        SELECT a.o AS o, a.u AS u, %s AS d, COALESCE(r.roles, 0) AS roles, MAX(a.p) = 1 AS present,
            MAX(a.t) = 1 AS took_part
        FROM ({sources}) a
        LEFT JOIN (SELECT b.o, b.u, SUM(b.bit) AS roles FROM ({held}) b GROUP BY b.o, b.u) r
            ON r.o = a.o AND r.u = a.u
        GROUP BY a.o, a.u, r.roles
    """  # noqa: S608  (table names from the models, values as parameters)
    return statement, (connection.ops.adapt_datefield_value(batch.day), *source_params, *held_params)


def _differing_sql(batch: Batch) -> tuple[str, tuple]:
    """The SELECT of the rows `advance_user_days` must write: the people who acted on the day (the sources) whose
    row is missing or lacks «present» or «took part», and those whose roles at the day's end differ from the ones
    written — which can only be people with a membership that began or ended during the day or after it (the
    roles written as they acted were the ones they held then, and a membership's role never changes in place), so
    only theirs are read, not the roles of everyone in the batch's schools."""
    qn = connection.ops.quote_name
    ops = connection.ops
    memberships, user_days = qn(Membership._meta.db_table), qn(UserDay._meta.db_table)
    ids = batch.organisation_ids
    these, _ids = placeholders(ids)
    sources, source_params = _sources(batch)
    start, end = ops.adapt_datetimefield_value(batch.start), ops.adapt_datetimefield_value(batch.end)
    # One grouping of the sources, the rows written and the memberships that began or ended since the day began
    # (a row per person: what they did, what is written, whether their roles may have changed), not joins of
    # tens of thousands of rows each.
    statement = f"""
        WITH a AS (
            SELECT x.o, x.u, MAX(x.p) AS p, MAX(x.t) AS t, MAX(x.src) AS src, MAX(x.w) AS w, MAX(x.wp) AS wp,
                MAX(x.wt) AS wt, MAX(x.wr) AS wr, MAX(x.ch) AS ch
            FROM (
                SELECT y.o, y.u, y.p, y.t, 1 AS src, 0 AS w, 0 AS wp, 0 AS wt, NULL AS wr, 0 AS ch FROM ({sources}) y
                UNION ALL
                SELECT organisation_id, user_id, 0, 0, 0, 1, CASE WHEN present THEN 1 ELSE 0 END,
                    CASE WHEN took_part THEN 1 ELSE 0 END, roles, 0
                FROM {user_days} WHERE organisation_id IN {these} AND day = %s
                UNION ALL
                SELECT organisation_id, user_id, 0, 0, 0, 0, 0, 0, NULL, 1 FROM {memberships}
                WHERE organisation_id IN {these} AND (valid_from >= %s OR valid_to >= %s)
            ) x
            GROUP BY x.o, x.u
        ), c AS (
            SELECT o, u, p = 1 AS present, t = 1 AS took_part, wr AS written, w = 0 OR p > wp OR t > wt AS lacking
            FROM a WHERE src = 1 AND (w = 0 OR p > wp OR t > wt OR ch = 1)
        ), r AS (
            SELECT m.organisation_id AS o, m.user_id AS u, {UserDay.roles_sql("m.role")} AS roles
            FROM {memberships} m JOIN c ON c.o = m.organisation_id AND c.u = m.user_id
            WHERE m.valid_from < %s AND (m.valid_to IS NULL OR m.valid_to >= %s)
            GROUP BY m.organisation_id, m.user_id
        )
        SELECT c.o, c.u, %s, COALESCE(r.roles, 0), c.present, c.took_part FROM c LEFT JOIN r ON r.o = c.o AND r.u = c.u
        WHERE c.lacking OR c.written <> COALESCE(r.roles, 0)
    """  # noqa: S608  (table names from the models, role names of the code, values as parameters)
    day = ops.adapt_datefield_value(batch.day)
    return statement, (*source_params, *ids, day, *ids, start, start, end, end, day)


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
    INSERT … SELECT never; see `_differing_sql`) and only those are written: usually none."""
    _rows_rewritten(batch)
    differing, params = _differing_sql(batch)
    table = connection.ops.quote_name(UserDay._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(differing, params)
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
