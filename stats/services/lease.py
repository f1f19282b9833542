"""A database lease: one filler at a time across beats, workers and commands, without holding a transaction."""

import uuid
from datetime import timedelta

from django.utils import timezone

from ..models import Lease

FILL_LEASE = "stats-fill"
LEASE_TTL = timedelta(minutes=15)


def new_holder() -> str:
    return uuid.uuid4().hex


def lease_acquire(*, name: str = FILL_LEASE, holder: str, ttl: timedelta = LEASE_TTL) -> bool:
    """Take the lease if nobody holds it (or the holder's time ran out). One conditional UPDATE decides: of two
    callers at once, the second finds lease_until already in the future and changes nothing."""
    now = timezone.now()
    Lease.objects.get_or_create(name=name, defaults={"lease_until": now - timedelta(seconds=1)})
    return Lease.objects.filter(name=name, lease_until__lt=now).update(holder=holder, lease_until=now + ttl) == 1


def lease_renew(*, name: str = FILL_LEASE, holder: str, ttl: timedelta = LEASE_TTL) -> bool:
    """Extend the lease while still holding it; False when another holder took it over after it ran out."""
    return Lease.objects.filter(name=name, holder=holder).update(lease_until=timezone.now() + ttl) == 1


def lease_release(*, name: str = FILL_LEASE, holder: str) -> None:
    Lease.objects.filter(name=name, holder=holder).update(lease_until=timezone.now())
