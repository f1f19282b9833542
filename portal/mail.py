"""E-mail leaves through a Celery job after the transaction commits, so that a slow or broken mail
server never fails or slows the action that caused the letter."""

import logging

from celery import shared_task
from django.core.mail import send_mail
from django.db import transaction

logger = logging.getLogger("portal.mail")


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email_task(subject: str, body: str, recipients: list[str]) -> int:
    return send_mail(subject, body, None, recipients)


def email_after_commit(*, subject: str, body: str, recipients: list[str]) -> None:
    """Queue a plain-text letter to be sent once the current transaction has committed."""
    recipients = [r for r in recipients if r]
    if not recipients:
        return

    def _queue():
        try:
            send_email_task.delay(subject, body, recipients)
        except Exception:  # the broker is down: the action stands, the letter is logged as lost
            logger.exception("Could not queue e-mail %r to %s", subject, recipients)

    transaction.on_commit(_queue)
