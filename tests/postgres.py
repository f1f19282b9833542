"""Tests that need PostgreSQL (row locks, concurrency, partial unique indexes): marked `postgres`, and skipped on the
embedded SQLite with a word on how to run them."""

import pytest
from django.db import connection

NEEDS_POSTGRES = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal",
)
# A module's `pytestmark` when all of its tests need PostgreSQL.
POSTGRES_ONLY = [pytest.mark.postgres, NEEDS_POSTGRES]


def postgres_only(test):
    """One test that needs PostgreSQL, with a database that commits (its concurrent requests see each other's
    commits, as they do in production)."""
    return pytest.mark.postgres(NEEDS_POSTGRES(pytest.mark.django_db(transaction=True)(test)))
