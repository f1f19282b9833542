from celery import shared_task

from .services.fill import stats_advance
from .services.report_jobs import monthly_report_build, monthly_reports_schedule


@shared_task
def advance_statistics() -> dict:
    """Fill the statistics up to yesterday and recount dirty days; a second worker at the same time does nothing."""
    report = stats_advance()
    return {"busy": report.busy, "buckets": report.buckets, "recounted": report.recounted}


@shared_task
def build_monthly_reports() -> int:
    """Queue the last month's report of each organisation whose month has ended and is filled, and of each
    municipality whose organisations all are (or at the job's last run of the month); skips those done."""
    return monthly_reports_schedule()


@shared_task
def build_monthly_report(report_id: int) -> str | None:
    """Build one pending report (on demand or queued by the monthly job); its state says how it went."""
    report = monthly_report_build(report_id=report_id)
    return report.status if report else None
