from celery import shared_task

from portal.ratelimit.limiter import purge_expired

from .services import otp_purge_expired
from .sessions import sessions_mark_expired


@shared_task
def purge_expired_codes() -> int:
    """Expired one-time codes, and the database's counters of tries whose window has ended."""
    purge_expired()
    return otp_purge_expired()


@shared_task
def mark_expired_sessions() -> int:
    """Browser sessions whose cookie has expired leave the list of active sessions."""
    return sessions_mark_expired()
