from celery import shared_task

from .services.fill import stats_advance


@shared_task
def advance_statistics() -> dict:
    """Fill the statistics up to yesterday and recount dirty days; a second worker at the same time does nothing."""
    report = stats_advance()
    return {"busy": report.busy, "buckets": report.buckets, "recounted": report.recounted}
