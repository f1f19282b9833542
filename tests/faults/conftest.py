"""Fixtures of the fault tests: each test gets servers of its own and loses them at the end, whatever happens."""

import pytest
from django.db import connection

from ._procs_redis import RedisServer, database_url


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(workdir=tmp_path).start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def shared_database(transactional_db):
    """The test database as a URL for the processes the test starts (they see what the test commits)."""
    return database_url(connection)


@pytest.fixture
def processes():
    """Processes a test starts register here; all are killed at the end, also after a failure."""
    started = []
    try:
        yield started
    finally:
        for process in reversed(started):
            process.stop()
