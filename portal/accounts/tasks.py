from celery import shared_task

from .services import otp_purge_expired


@shared_task
def purge_expired_codes() -> int:
    return otp_purge_expired()
