"""Small pieces for the statements written out by hand where the ORM's building of a query costs more than running
it (a joiner's chat sync, a redemption, the statistics' fills): the same on PostgreSQL and on SQLite."""

import io
from datetime import date

from django.db import connection, connections, router
from django.db.models.constants import OnConflict
from django.db.models.signals import post_save, pre_save


def fetch_rows(sql: str, params) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def placeholders(values) -> tuple[str, list]:
    """`(%s, %s, …)` for an `IN` and its parameters; `(NULL)` for none, which matches nothing on both databases."""
    values = list(values)
    return ("(" + ", ".join(["%s"] * len(values)) + ")" if values else "(NULL)"), values


def insert_ignoring(table: str, columns: list[str], rows: int = 1) -> str:
    """`INSERT` of `rows` rows into `table` that skips a row its unique constraints already hold (`ON CONFLICT DO
    NOTHING`, `INSERT OR IGNORE`): the cursor's rowcount says how many were written."""
    ops = connection.ops
    row = "(" + ", ".join(["%s"] * len(columns)) + ")"
    return (
        f"{ops.insert_statement(on_conflict=OnConflict.IGNORE)} {table} ({', '.join(columns)}) "
        f"VALUES {', '.join([row] * rows)} {ops.on_conflict_suffix_sql([], OnConflict.IGNORE, [], [])}"
    )


# Rows of one INSERT statement where COPY is not at hand (SQLite allows 32 766 parameters to a statement).
INSERT_CHUNK = 1000


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_field(value) -> str:
    """One field of PostgreSQL's COPY text format: NULL as \\N, backslash, tab and line breaks escaped."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    return (value.isoformat() if hasattr(value, "isoformat") else str(value)).translate(_COPY_ESCAPES)


# Values that repeat over a statement's rows (the indicator, its subgroups, the day), each written out once.
_REPEATED = (str, date)


class _EscapedStrings(dict):
    def __missing__(self, value) -> str:
        text = self[value] = _copy_field(value)
        return text


def insert_rows(table: str, columns: tuple[str, ...] | list[str], rows: list[tuple]) -> None:
    """Insert plain rows into `table`: on PostgreSQL with one `COPY … FROM STDIN` (no statement to parse, no
    parameters to quote: several times faster than multi-row INSERTs for tens of thousands of rows), elsewhere a
    thousand rows to an INSERT. Inside the caller's transaction, like any statement."""
    if not rows:
        return
    qn = connection.ops.quote_name
    names = ", ".join(qn(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            strings = _EscapedStrings()
            data = io.StringIO(
                "".join(
                    "\t".join(
                        [
                            str(v) if type(v) is int else strings[v] if type(v) in _REPEATED else _copy_field(v)
                            for v in row
                        ]
                    )
                    + "\n"
                    for row in rows
                )
            )
            cursor.cursor.copy_expert(f"COPY {qn(table)} ({names}) FROM STDIN", data)
            return
        one = "(" + ", ".join(["%s"] * len(columns)) + ")"
        for n in range(0, len(rows), INSERT_CHUNK):
            chunk = rows[n : n + INSERT_CHUNK]
            cursor.execute(
                f"INSERT INTO {qn(table)} ({names}) VALUES {', '.join([one] * len(chunk))}",  # noqa: S608
                [v for row in chunk for v in row],
            )


class _InsertPlan:
    """A model's `INSERT` of one row, its columns and the returned key: built once per model, database and conflict
    handling."""

    def __init__(self, model, ignoring: bool, connection):
        meta = model._meta
        if meta.parents or meta.proxy:
            raise TypeError(f"{model.__name__}: a model with parents or a proxy is saved by save()")
        ops = connection.ops
        self.fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field and not f.generated]
        on_conflict = OnConflict.IGNORE if ignoring else None
        columns = ", ".join(ops.quote_name(f.column) for f in self.fields)
        returning = meta.db_returning_fields
        self.returning = returning if connection.features.can_return_columns_from_insert else []
        self.sql = (
            f"{ops.insert_statement(on_conflict=on_conflict)} {ops.quote_name(meta.db_table)} ({columns}) "
            f"VALUES ({', '.join(['%s'] * len(self.fields))}) {ops.on_conflict_suffix_sql([], on_conflict, [], [])}"
        )
        if self.returning:
            self.sql += " RETURNING " + ", ".join(ops.quote_name(f.column) for f in self.returning)


_insert_plans: dict = {}


def insert_instance(obj, *, ignoring: bool = False) -> bool:
    """Save a new instance as `Model.save()` would on its first save (defaults, `auto_now_add`, the pre- and
    post-save signals, the key set on it), by a statement built once per model instead of the ORM's compiling of it
    for each row. `ignoring`: a row the table's unique constraints already hold is left alone and nothing is saved
    (False is returned, and no post-save signal): no savepoint is needed around it to catch the conflict's error."""
    model = type(obj)
    if obj.pk is not None:
        raise ValueError(f"{model.__name__}: insert_instance saves a new row, whose key the database gives")
    alias = router.db_for_write(model, instance=obj)
    conn = connections[alias]
    key = (model, alias, conn.vendor, ignoring)
    plan = _insert_plans.get(key)
    if plan is None:
        plan = _insert_plans[key] = _InsertPlan(model, ignoring, conn)
    pre_save.send(sender=model, instance=obj, raw=False, using=alias, update_fields=None)
    params = [f.get_db_prep_save(f.pre_save(obj, True), conn) for f in plan.fields]
    with conn.cursor() as cursor:
        cursor.execute(plan.sql, params)
        if plan.returning:
            row = cursor.fetchone()
            if row is None:
                return False
            for field, value in zip(plan.returning, row, strict=True):
                setattr(obj, field.attname, value)
        elif cursor.rowcount == 0:
            return False
        else:
            obj.pk = conn.ops.last_insert_id(cursor, model._meta.db_table, model._meta.pk.column)
    obj._state.adding, obj._state.db = False, alias
    post_save.send(sender=model, instance=obj, created=True, update_fields=None, raw=False, using=alias)
    return True
