"""Queueing a background job without making the action depend on the broker.

The job's work is recorded in the database by the action itself (a letter row, a mailing row), so the job
only has to be told to start. If the broker (Redis) is down, the action still succeeds: the failure is logged
and a periodic sweep (OUTBOX_SWEEP_SECONDS) queues the work again once the broker is back. Every such job is
idempotent, so a sweep that queues a job already queued changes nothing.
"""

import logging

from django.db import transaction

logger = logging.getLogger("portal.dispatch")


def queue_now(task, *args) -> bool:
    """Queue the job once, without the broker's retries (a request must not wait for a dead broker).

    Nobody waits for the result: ignore_result also keeps the sender off the result backend, whose client would
    otherwise retry for long on a dead Redis and then ask for the whole process to be restarted.
    """
    try:
        task.apply_async(args, retry=False, ignore_result=True)
    except Exception:  # kombu, redis-py and socket errors alike: the work waits in the database
        logger.warning("Broker unavailable: %s%r left for the sweep", task.name, args, exc_info=True)
        return False
    return True


def queue_after_commit(task, *args) -> None:
    """Queue the job once the current transaction commits (its rows are then visible to the worker)."""
    transaction.on_commit(lambda: queue_now(task, *args))
