from datetime import datetime

from django.db.models import Q


def sql_of(queryset) -> tuple[str, tuple]:
    """A queryset's SELECT with its parameters adapted for the database, to be placed inside a larger statement."""
    sql, params = queryset.query.sql_with_params()
    return sql, tuple(params)


def valid_at(instant: datetime, prefix: str = "") -> Q:
    """Rows with history (valid_from/valid_to) in force at the instant."""
    return Q(**{f"{prefix}valid_from__lt": instant}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": instant})
    )


def chat_open_at(instant: datetime, prefix: str = "") -> Q:
    """Chats that existed and were not archived at the instant."""
    return Q(**{f"{prefix}created_at__lt": instant}) & (
        Q(**{f"{prefix}archived_at__isnull": True}) | Q(**{f"{prefix}archived_at__gte": instant})
    )
