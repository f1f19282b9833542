"""The embedded default's letters on the console: each one once, as a person reads it (decoded subject and body,
no MIME, no base64), framed so that it stands out among the server's own lines."""

import sys
import threading

from django.core.mail.backends.base import BaseEmailBackend

RULE = "═" * 72


def letter_text(message) -> str:
    """One letter as plain text: who to, the subject and the body, between two rules."""
    lines = [
        "",
        RULE,
        f"  ПИСЬМО для {', '.join(message.to or []) or '—'}",
        f"  Тема: {message.subject}",
        RULE,
        message.body.rstrip(),
        RULE,
        "",
    ]
    return "\n".join(lines) + "\n"


class ReadableConsoleBackend(BaseEmailBackend):
    """Like Django's console backend, without the MIME encoding that makes a Russian letter unreadable."""

    def __init__(self, *args, stream=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.stream = stream or sys.stdout
        self._lock = threading.RLock()

    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        sent = 0
        with self._lock:
            for message in email_messages:
                self.stream.write(letter_text(message))
                sent += 1
            self.stream.flush()
        return sent
