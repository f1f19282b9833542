"""Pluggable delivery of one-time codes. Settings name the SMS sender by its dotted path."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

logger = logging.getLogger("portal.otp")


class ConsoleSmsSender:
    """Writes the SMS to the log: the default for a portal without an SMS gateway."""

    def send(self, *, phone: str, text: str) -> None:
        logger.warning("SMS to %s: %s", phone, text)
        print(f"[SMS to {phone}] {text}", flush=True)


class OutboxSmsSender:
    """Keeps messages in memory; for tests and for checking the wording."""

    outbox: list[dict] = []

    def send(self, *, phone: str, text: str) -> None:
        self.outbox.append({"phone": phone, "text": text})


def send_sms(*, phone: str, text: str) -> None:
    import_string(settings.OTP_SMS_SENDER)().send(phone=phone, text=text)


def send_code_email(*, email: str, text: str) -> None:
    send_mail("Код для входа на портал", text, None, [email])
