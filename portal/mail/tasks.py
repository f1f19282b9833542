from celery import shared_task
from django.core.mail import send_mail

from .services import outgoing_email_send, outgoing_emails_send_pending


@shared_task
def send_outgoing_email(letter_id: int) -> bool:
    """Send one recorded letter; a second run finds it gone and sends nothing."""
    return outgoing_email_send(letter_id)


@shared_task
def send_pending_emails() -> int:
    """The sweep: letters whose job the broker never carried, or whose sending failed."""
    return outgoing_emails_send_pending()


@shared_task(name="portal.mail.send_email_task", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email_task(subject: str, body: str, recipients: list[str]) -> int:
    """Letters queued by the previous version, before letters were recorded in the database."""
    return send_mail(subject, body, None, recipients)
