"""Running calls at the same moment, for the PostgreSQL tests of row locks and conditional updates."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from django.db import connections


def at_once(calls: list[Callable], *, timeout: float = 60) -> list:
    """Run each call in its own thread (its own database connection), all released together by a barrier; returns
    what each returned, or the exception it raised, in the order of the calls."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait(timeout=timeout)
            return call()
        except Exception as exc:  # noqa: BLE001 - returned, so that the test's assertion shows it
            return exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))
