"""E-mail leaves through a Celery job after the transaction commits, so that a slow or broken mail server (or
broker) never fails or slows the action that caused the letter.

The letter is first a row (`OutgoingEmail`) written with the action; the job sends it and deletes the row
(see portal.mail.services). Other apps use `email_after_commit` only.

Every letter is written in templates: `templates/mail/<name>_subject.txt` and `templates/mail/<name>_body.txt`,
rendered by `letter_render` in the portal's language with the links the caller built by `site_url`.
"""


def email_after_commit(*, subject: str, body: str, recipients: list[str]) -> None:
    """Record a plain-text letter with the current transaction; it is sent once that transaction commits."""
    from .services import outgoing_email_create

    outgoing_email_create(subject=subject, body=body, recipients=recipients)


def site_url(viewname: str = "", *args, **kwargs) -> str:
    """The address of a page as a letter gives it: the portal's base URL and the page's path (`reverse`);
    no name: the portal's front page."""
    from django.conf import settings
    from django.urls import reverse

    path = reverse(viewname, args=args or None, kwargs=kwargs or None) if viewname else "/"
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def letter_render(name: str, context: dict) -> dict:
    """The subject and body of the letter `name` (templates/mail/), in the portal's language whatever language the
    person who caused it reads: {"subject", "body"}, ready for `email_after_commit` with the recipients."""
    from django.conf import settings
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"mail/{name}_subject.txt", context)
        body = render_to_string(f"mail/{name}_body.txt", context)
    return {"subject": " ".join(subject.split()), "body": body.strip()}


def email_letter_after_commit(name: str, context: dict, *, recipients: list[str]) -> None:
    """Render the letter `name` (see `letter_render`) and record it with the current transaction."""
    email_after_commit(**letter_render(name, context), recipients=recipients)
