"""Tests that are not about rate limits start each request with no tries counted."""

from django.core.cache import cache

from portal.ratelimit.models import Counter


def forget_tries() -> None:
    """Forget every counted try: the cache's (Redis counters, DRF-style state) and the database counters."""
    cache.clear()
    Counter.objects.all().delete()
