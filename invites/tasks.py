from celery import shared_task

from .services.digest import join_requests_send_digest
from .services.jobs import invites_annul_unused, invites_mark_expired


@shared_task
def mark_expired_invites() -> int:
    return invites_mark_expired()


@shared_task
def annul_unused_invites() -> int:
    return invites_annul_unused()


@shared_task
def send_invite_emails(mailing_id: int) -> dict:
    """Send the letters of an invite mailing; re-running it sends nothing twice."""
    from .services.sending import invite_mailing_progress, invite_mailing_run

    mailing = invite_mailing_run(mailing_id)
    return invite_mailing_progress(mailing) if mailing else {}


@shared_task
def resume_invite_mailings() -> int:
    """Queue again the mailings whose job never reached a worker (queued while the broker was down)."""
    from portal.dispatch import queue_now

    from .services.sending import invite_mailings_stalled

    return sum(queue_now(send_invite_emails, mailing_id) for mailing_id in invite_mailings_stalled())


@shared_task
def send_join_request_digest() -> int:
    """The daily letter of pending join requests to their approvers; a re-run the same day sends nothing."""
    return join_requests_send_digest()
