from celery import shared_task

from .services.workflow import versions_bring_into_force


@shared_task
def bring_versions_into_force() -> int:
    """Approved versions whose date has come enter into force; the previous ones lose force. Safe to run twice."""
    return versions_bring_into_force()
