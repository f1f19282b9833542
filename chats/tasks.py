from celery import shared_task

from .services.events import events_send_reminders
from .services.sync import chats_resync_all, chats_sync_joined_by_ids


@shared_task
def send_event_reminders() -> int:
    """Due event reminders, each sent once even when several workers run this at the same time."""
    return events_send_reminders()


@shared_task
def resync_chats() -> str:
    """Bring every organisation's chats in line with its structure; re-running it after a crash finishes the work."""
    return str(chats_resync_all())


@shared_task
def sync_joined_members(organisation_id: int, user_ids: list[int], group_ids: list[int]) -> str:
    """Add the chat rows that a change which only gave (a person joined, was enrolled, linked to a child) implies;
    running it twice, or after `resync_chats`, adds nothing."""
    return str(chats_sync_joined_by_ids(organisation_id=organisation_id, user_ids=user_ids, group_ids=group_ids))
