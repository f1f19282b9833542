"""Small pieces for the statements written out by hand where the ORM's building of a query costs more than running
it (a joiner's chat sync, a redemption, the statistics' fills): the same on PostgreSQL and on SQLite."""

from django.db import connection
from django.db.models.constants import OnConflict


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
