from django.db import models
from django.utils import timezone


class OutgoingEmail(models.Model):
    """A letter that must go out: written in the transaction of the action that causes it, deleted once sent.

    The row is the letter's only record, so a letter exists exactly when its action does, whether or not the
    broker was up; the job that sends it deletes it under a row lock, so it is sent once.
    """

    subject = models.CharField(max_length=998)
    body = models.TextField()
    recipients = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = "исходящее письмо"
        verbose_name_plural = "исходящие письма"

    def __str__(self):
        return f"{self.subject} → {', '.join(self.recipients)}"
