"""Pluggable delivery of one-time codes. Settings name the SMS sender by its dotted path."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string


class ConsoleSmsSender:
    """Prints the SMS on the console, once and framed: the default for a portal without an SMS gateway."""

    def send(self, *, phone: str, text: str) -> None:
        rule = "═" * 72
        print(f"\n{rule}\n  SMS для {phone}\n  {text}\n{rule}\n", flush=True)


class OutboxSmsSender:
    """Keeps messages in memory; for tests and for checking the wording."""

    outbox: list[dict] = []

    def send(self, *, phone: str, text: str) -> None:
        self.outbox.append({"phone": phone, "text": text})


def send_sms(*, phone: str, text: str) -> None:
    import_string(settings.OTP_SMS_SENDER)().send(phone=phone, text=text)


def send_code_email(*, email: str, subject: str, text: str) -> None:
    send_mail(subject, text, None, [email])
