from celery import shared_task

from portal.ratelimit.limiter import purge_expired

from .services import otp_purge_expired


@shared_task
def purge_expired_codes() -> int:
    """Expired one-time codes, and the database's counters of tries whose window has ended."""
    purge_expired()
    return otp_purge_expired()
