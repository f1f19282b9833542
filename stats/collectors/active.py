"""Active users: distinct people present and taking part on the day and over the 7 and 30 days ending with it, by
role, per organisation and per class (its students at the day's end) — never sums of days.

The counts are of the people whose last active day (in each sense and role) falls in each window. Those last days
(LastActive, one row per person active in the month) are kept up as the days are filled in order: filling day D
moves them forward from D's UserDay rows only, so a day costs the day's rows, not a month of them. Whenever they do
not describe the day before — the first fill, a fill after a gap, UserDay rows of a day up to them written again
(a recount, a backfill: `user_days` drops their `LastActiveAsOf`) — they are rebuilt from the month's UserDay rows.
A recount of a day before them counts from the month's rows directly and leaves them as they are."""

from datetime import date, timedelta

from django.db import connection

from orgs.models import Placement
from portal.sql import placeholders

from ..days import Batch
from ..models import LastActive, LastActiveAsOf, UserDay
from ..registry import BatchRows, Grain, Indicator, Kind, register
from ._common import sql_of, valid_at

# Distinct-count windows in days, ending with the bucket's day.
WINDOWS = {"dau": 1, "wau": 7, "mau": 30}
LONGEST = max(WINDOWS.values())


def _columns() -> dict[str, tuple[str, str]]:
    """Each counted key -> (its LastActive field, which UserDay rows `g` move it). «Present» is any row (the person
    opened the portal or took part); «.took_part» only the days they posted or voted."""
    roles = {"all": "1 = 1", **{name: f"(g.roles & {bit}) > 0" for name, bit in UserDay.ROLE_BITS.items()}}
    columns = {}
    for role, has_role in roles.items():
        columns[role] = ("present" if role == "all" else role, has_role)
        took_part = "took_part" if role == "all" else f"{role}_took_part"
        columns[f"{role}.took_part"] = (took_part, f"g.took_part AND {has_role}")
    return columns


COLUMNS = _columns()
FIELDS = [field for field, _condition in COLUMNS.values()]


def _table(name) -> str:
    return connection.ops.quote_name(name)


def _month_lasts(ids, day: date) -> tuple[str, tuple]:
    """The SELECT of each person's last days as of `day`, from the month's UserDay rows (one grouping by person)."""
    month, params = sql_of(
        UserDay.objects.filter(organisation_id__in=ids, day__gt=day - timedelta(days=LONGEST), day__lte=day)
        .values("organisation_id", "user_id", "roles", "took_part", "day")
        .order_by()
    )
    lasts = ", ".join(f"MAX(CASE WHEN {condition} THEN g.day END) AS {field}" for field, condition in COLUMNS.values())
    statement = f"SELECT g.organisation_id, g.user_id, {lasts} FROM ({month}) g GROUP BY g.organisation_id, g.user_id"
    return statement, params


def _kept_lasts(ids) -> tuple[str, tuple]:
    return sql_of(LastActive.objects.filter(organisation_id__in=ids).values("organisation_id", "user_id", *FIELDS))


def _rebuild(ids, day: date) -> None:
    """The organisations' last days as of `day`, written anew from the month's UserDay rows."""
    LastActive.objects.filter(organisation_id__in=ids).delete()
    select, params = _month_lasts(ids, day)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(LastActive._meta.db_table)} (organisation_id, user_id, {', '.join(FIELDS)}) {select}",
            params,
        )


def _as_of(ids, day: date) -> None:
    LastActiveAsOf.objects.filter(organisation_id__in=ids).delete()
    LastActiveAsOf.objects.bulk_create([LastActiveAsOf(organisation_id=o, day=day) for o in ids])


def last_active_rebuild(*, organisation_ids, day: date) -> None:
    """Write the organisations' last days as of `day` from the month's UserDay rows, as filling the days in order
    up to it leaves them (for a database loaded in bulk, such as the benchmark's)."""
    ids = list(organisation_ids)
    _rebuild(ids, day)
    _as_of(ids, day)


def _advance(ids, day: date) -> None:
    """The organisations' last days, as of the day before, moved to `day` by its UserDay rows: a person active on
    the day gets the day in each column the row counts for and keeps the others, a person new to the month gets a
    row; then the people no window holds any more are dropped (what a rebuild would not write).

    Not an upsert (INSERT … ON CONFLICT), which PostgreSQL runs row by row (~30 µs each): there one MERGE joins
    the day's rows with the table kept half empty (fillfactor 50, see the migration), so that each row is rewritten
    in its own page without touching an index (a HOT update); elsewhere an UPDATE joined with the day's rows and an
    INSERT of the people new to the month do the same."""
    table, user_days = _table(LastActive._meta.db_table), _table(UserDay._meta.db_table)
    moved = ", ".join(
        f"{field} = g.day" if field == "present" else f"{field} = CASE WHEN {condition} THEN g.day ELSE t.{field} END"
        for field, condition in COLUMNS.values()
    )
    days = ", ".join(f"CASE WHEN {condition} THEN g.day END" for _field, condition in COLUMNS.values())
    columns = f"organisation_id, user_id, {', '.join(FIELDS)}"
    adapt = connection.ops.adapt_datefield_value
    these, _params = placeholders(ids)
    day_rows = f"SELECT * FROM {user_days} WHERE organisation_id IN {these} AND day = %s"  # noqa: S608  (as below)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"""
                MERGE INTO {table} AS t USING ({day_rows}) AS g
                ON t.organisation_id = g.organisation_id AND t.user_id = g.user_id
                WHEN MATCHED THEN UPDATE SET {moved}
                WHEN NOT MATCHED THEN INSERT ({columns}) VALUES (g.organisation_id, g.user_id, {days})
                """,  # noqa: S608  (table and column names from the models, values as parameters)
                (*ids, adapt(day)),
            )
        else:
            cursor.execute(
                f"""
                UPDATE {table} AS t SET {moved} FROM ({day_rows}) AS g
                WHERE t.organisation_id = g.organisation_id AND t.user_id = g.user_id
                """,  # noqa: S608  (as above)
                (*ids, adapt(day)),
            )
            cursor.execute(
                f"""
                INSERT INTO {table} ({columns}) SELECT g.organisation_id, g.user_id, {days} FROM ({day_rows}) AS g
                WHERE NOT EXISTS (
                    SELECT 1 FROM {table} k WHERE k.organisation_id = g.organisation_id AND k.user_id = g.user_id
                )
                """,  # noqa: S608  (as above)
                (*ids, adapt(day)),
            )
        cursor.execute(
            f"DELETE FROM {table} WHERE organisation_id IN {these} AND present <= %s",  # noqa: S608  (as above)
            (*ids, adapt(day - timedelta(days=LONGEST))),
        )


def _count(batch: Batch, ids, lasts: tuple[str, tuple], out: BatchRows) -> None:
    """Per organisation how many people's last days fall in each window, and the same per class for the students
    placed in it at the day's end: one query over one row per person."""
    last, last_params = lasts
    placed, placed_params = sql_of(
        Placement.objects.filter(valid_at(batch.end), organisation_id__in=ids)
        .values("organisation_id", "group_id", "student_id")
        .order_by()
    )
    adapt = connection.ops.adapt_datefield_value
    windows = [(window, adapt(batch.day - timedelta(days=days))) for window, days in WINDOWS.items()]
    org_sums = [f"SUM(CASE WHEN x.{field} > %s THEN 1 ELSE 0 END)" for _w, _a in windows for field in FIELDS]
    student = COLUMNS["student"][0]
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
        *(after for _w, after in windows for _f in FIELDS),
        *(after for _w, after in windows),
        *placed_params,
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        for org, group_id, *counts in cursor.fetchall():
            rows = out[org]
            if group_id is None:
                for n, (window, _after) in enumerate(windows):
                    for m, key in enumerate(COLUMNS):
                        rows.add(f"{window}.{key}", counts[n * len(COLUMNS) + m])
            else:
                for n, (window, _after) in enumerate(windows):
                    rows.add_class(group_id, f"{window}.student", counts[n])


def compute_active_users(batch: Batch) -> BatchRows:
    """The day's distinct counts. Organisations whose last days describe the day before move them to this day;
    those whose last days describe nothing usable (none, older, dropped by a rewrite) rebuild them as of this day;
    both, and those already at this day, count from them. Organisations whose last days are past this day (a
    recount of an earlier day) count from the month's UserDay rows."""
    ids, day = batch.organisation_ids, batch.day
    as_of = dict(LastActiveAsOf.objects.filter(organisation_id__in=ids).values_list("organisation_id", "day"))
    follow = [o for o in ids if as_of.get(o) == day - timedelta(days=1)]
    ahead = [o for o in ids if o in as_of and as_of[o] > day]
    restart = [o for o in ids if o not in as_of or as_of[o] < day - timedelta(days=1)]
    if follow:
        _advance(follow, day)
    if restart:
        _rebuild(restart, day)
    if follow or restart:
        _as_of(follow + restart, day)
    out = BatchRows()
    kept = [o for o in ids if o not in ahead]
    if kept:
        _count(batch, kept, _kept_lasts(kept), out)
    if ahead:
        _count(batch, ahead, _month_lasts(ahead, day), out)
    return out


def count_from_month(batch: Batch) -> BatchRows:
    """The day's distinct counts from the month's UserDay rows, touching no kept state: what the kept last days
    must always give."""
    out = BatchRows()
    _count(batch, batch.organisation_ids, _month_lasts(batch.organisation_ids, batch.day), out)
    return out


register(
    Indicator(
        key="active_users",
        version=1,
        kind=Kind.SNAPSHOT,
        grains=(Grain.ORGANISATION, Grain.CLASS),
        compute=compute_active_users,
        after=("user_days",),
        description="Активные за день, 7 и 30 дней (различные люди) по ролям.",
    )
)
