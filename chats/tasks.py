from celery import shared_task

from .services.events import events_send_reminders
from .services.sync import chats_resync_all


@shared_task
def send_event_reminders() -> int:
    """Due event reminders, each sent once even when several workers run this at the same time."""
    return events_send_reminders()


@shared_task
def resync_chats() -> str:
    """Bring every organisation's chats in line with its structure; re-running it after a crash finishes the work."""
    return str(chats_resync_all())
