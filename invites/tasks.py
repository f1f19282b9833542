from celery import shared_task

from .services.jobs import invites_annul_unused, invites_mark_expired


@shared_task
def mark_expired_invites() -> int:
    return invites_mark_expired()


@shared_task
def annul_unused_invites() -> int:
    return invites_annul_unused()
