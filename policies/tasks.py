from celery import shared_task

from .services.acknowledgements import acknowledgement_reminders_send
from .services.workflow import versions_bring_into_force


@shared_task
def bring_versions_into_force() -> int:
    """Approved versions whose date has come enter into force; the previous ones lose force. Safe to run twice."""
    return versions_bring_into_force()


@shared_task
def send_acknowledgement_reminders() -> int:
    """Remind who has not acknowledged a document in force, once per reminder day. Safe to run twice."""
    return acknowledgement_reminders_send()
