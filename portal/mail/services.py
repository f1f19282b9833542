"""Outgoing letters: recorded with the action, sent by a job, each exactly once.

Exactly once, with one unavoidable window: a worker killed after the mail server accepted the letter and
before the row's deletion commits sends it again on the next run (SMTP has no way to ask «did you get it?»).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from portal.dispatch import queue_after_commit

from .models import OutgoingEmail

logger = logging.getLogger("portal.mail")
MAX_ATTEMPTS = 10


def outgoing_email_create(*, subject: str, body: str, recipients: list[str]) -> OutgoingEmail | None:
    """Write the letter in the current transaction and queue its sending after commit."""
    recipients = [r for r in recipients if r]
    if not recipients:
        return None
    letter = OutgoingEmail.objects.create(subject=subject, body=body, recipients=recipients)
    from .tasks import send_outgoing_email

    queue_after_commit(send_outgoing_email, letter.pk)
    return letter


def outgoing_email_send(letter_id: int) -> bool:
    """Send one recorded letter and delete its row; False when it is gone (sent) or is being sent right now."""
    with transaction.atomic():
        # skip_locked: a second job for the same letter (queued again by the sweep) leaves it to the first.
        letter = OutgoingEmail.objects.select_for_update(skip_locked=True).filter(pk=letter_id).first()
        if letter is None:
            return False
        try:
            send_mail(letter.subject, letter.body, None, letter.recipients)
        except OSError as error:  # the mail server is down or refused: the sweep tries again later
            logger.warning("Letter %s not sent (attempt %s): %s", letter.pk, letter.attempts + 1, error)
            letter.attempts += 1
            letter.last_error = f"{type(error).__name__}: {error}"[:500]
            letter.save(update_fields=["attempts", "last_error"])
            return False
        letter.delete()
    return True


def outgoing_emails_send_pending(*, limit: int = 500) -> int:
    """Send the letters whose job never ran (queued while the broker was down, lost with it, or failed)."""
    older = timezone.now() - timedelta(seconds=settings.OUTBOX_SWEEP_SECONDS)
    ids = list(
        OutgoingEmail.objects.filter(created_at__lte=older, attempts__lt=MAX_ATTEMPTS)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(outgoing_email_send(pk) for pk in ids)
