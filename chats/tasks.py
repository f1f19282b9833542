from celery import shared_task

from .services.events import events_send_reminders


@shared_task
def send_event_reminders() -> int:
    """Due event reminders, each sent once even when several workers run this at the same time."""
    return events_send_reminders()
