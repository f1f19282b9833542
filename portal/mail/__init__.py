"""E-mail leaves through a Celery job after the transaction commits, so that a slow or broken mail server (or
broker) never fails or slows the action that caused the letter.

The letter is first a row (`OutgoingEmail`) written with the action; the job sends it and deletes the row
(see portal.mail.services). Other apps use `email_after_commit` only.
"""


def email_after_commit(*, subject: str, body: str, recipients: list[str]) -> None:
    """Record a plain-text letter with the current transaction; it is sent once that transaction commits."""
    from .services import outgoing_email_create

    outgoing_email_create(subject=subject, body=body, recipients=recipients)
