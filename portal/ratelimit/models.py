from django.db import models


class Counter(models.Model):
    """Tries counted in one window, for deployments whose cache cannot count atomically (see limiter.py).
    Written only with single INSERT … ON CONFLICT statements, never read-modify-write."""

    key = models.CharField(max_length=120, primary_key=True)
    count = models.IntegerField()
    # Milliseconds since the epoch: one portable integer compared in SQL on SQLite and PostgreSQL alike.
    expires_at = models.BigIntegerField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
