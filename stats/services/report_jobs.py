"""Monthly reports as stored files: requested by a director or by the monthly job, built by a worker, kept with
their SHA-256.

One row per organisation (or per municipality: its methodologists' report of the roll-up), month and kind. A new
request for a month already reported regenerates the file and replaces it: the director gets one report per month,
the latest, and the previous file stays downloadable until the new one is stored (then it is deleted). A failure
(disk full, storage or PDF libraries missing) marks the row failed with a Russian message; nothing retries it in a
loop (the monthly job tries again at its next hourly run during the first week of the month, a director by asking
again).

A municipality's report is built by the same job once every organisation of the area has its month filled, or at
the job's last run (the LAST_RUN_DAY-th of the month) with the organisations still behind marked «данные отстают».
Its requests and downloads are written to the audit log of each organisation of the area."""

import logging
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import Organisation
from portal.exceptions import NotFound, RuleViolation, StorageFull, StorageUnavailable
from portal.jobs import JobFailed, file_store, files_delete_on_commit
from portal.pdf import PdfUnavailable

from .. import selectors
from ..areas import area_key, area_organisations, area_time_zone, areas_for_user
from ..days import local_day
from ..models import Area, FillState, MonthlyReport, OrgDayCount, report_path
from ..registry import indicators
from .areas import area_audit
from .reports import last_ended_month, month_end, month_name, month_start, render_pdf, report_document

logger = logging.getLogger(__name__)

# The last day of a month the job runs on (settings.CELERY_BEAT_SCHEDULE["build-monthly-reports"]): a municipality's
# report that waited for late organisations is built on it whatever they are.
LAST_RUN_DAY = 7
FAILURES = {
    StorageFull: "Отчёт не сохранён: на сервере закончилось место. Сообщите администратору сервера и сформируйте "
    "отчёт снова, когда место освободится.",
    StorageUnavailable: "Отчёт не сохранён: хранилище файлов на сервере недоступно. Сообщите администратору "
    "сервера и сформируйте отчёт снова.",
    PdfUnavailable: "Отчёт не сформирован: на сервере не установлены библиотеки для печати PDF (Pango, HarfBuzz, "
    "шрифты DejaVu). Сообщите администратору сервера.",
}
UNEXPECTED = (
    "Отчёт не сформирован из-за ошибки на сервере. Попробуйте позже; если не получится, сообщите администратору "
    "портала."
)


# ---- which months -------------------------------------------------------------------------------------------


def report_months(organisation: Organisation, *, now: datetime | None = None) -> list[date]:
    """The months a report can be asked for, newest first: ended in the organisation's time and with figures."""
    now = now or timezone.now()
    return _months_with_figures([organisation.pk], last_ended_month(organisation.time_zone, now))


def area_latest_month(organisations, now: datetime) -> date:
    """The latest month ended in the time of every organisation of the area."""
    zones = {o.time_zone for o in organisations} or {area_time_zone(organisations)}
    return min(last_ended_month(zone, now) for zone in zones)


def area_report_months(organisations, *, now: datetime | None = None) -> list[date]:
    """The months an area's report can be asked for: ended for all its organisations, with figures of one of them."""
    now = now or timezone.now()
    return _months_with_figures([o.pk for o in organisations], area_latest_month(organisations, now))


def _months_with_figures(organisation_ids: list[int], latest: date) -> list[date]:
    span = OrgDayCount.objects.filter(organisation_id__in=organisation_ids).aggregate(first=Min("day"), last=Max("day"))
    if span["first"] is None:
        return []
    months, month = [], min(latest, month_start(span["last"]))
    while month >= month_start(span["first"]):
        months.append(month)
        month = month_start(month - timedelta(days=1))
    return months


def parse_month(value) -> date:
    """«2026-10» → 2026-10-01; anything else is a 400 naming the field."""
    try:
        year, number = (int(part) for part in str(value).split("-"))
        month = date(year, number, 1)
    except (TypeError, ValueError):
        message = _("Месяц в формате ГГГГ-ММ, например 2026-10.")
        raise RuleViolation(message, code="invalid", fields={"month": [message]}) from None
    if not 2000 <= month.year <= 2100:
        message = _("Месяц должен быть между 2000 и 2100 годом.")
        raise RuleViolation(message, code="invalid", fields={"month": [message]})
    return month


def _check_month(month: date, latest: date, months: list[date]) -> None:
    if month > latest:
        day_after = month_end(month) + timedelta(days=1)
        message = _("Месяц %(month)s ещё не закончился: отчёт за него можно будет сформировать с %(day)s.") % {
            "month": month_name(month),
            "day": f"{day_after:%d.%m.%Y}",
        }
        raise RuleViolation(message, code="month_not_ended", fields={"month": [message]})
    if month not in months:
        message = _("За %(month)s данных статистики нет: отчёт составить не из чего.") % {"month": month_name(month)}
        raise RuleViolation(message, code="month_without_data", fields={"month": [message]})


# ---- request, build, store ----------------------------------------------------------------------------------


def _queue(report_ids: list[int]) -> None:
    from ..tasks import build_monthly_report as task  # the tasks module imports the services

    for report_id in report_ids:
        task.delay(report_id)


def monthly_report_request(
    *, organisation: Organisation, month: date, actor, now: datetime | None = None
) -> MonthlyReport:
    """Queue the building of the month's report (again, if it exists); the row returned is pending. A month not
    ended yet or without figures is refused (RuleViolation). A report already being built is not queued twice."""
    now = now or timezone.now()
    month = month_start(month)
    _check_month(month, last_ended_month(organisation.time_zone, now), report_months(organisation, now=now))
    return _request({"organisation": organisation, "kind": MonthlyReport.Kind.ORGANISATION}, month, actor, now)


def area_report_request(*, area: Area, month: date, actor, now: datetime | None = None) -> MonthlyReport:
    """The same for a municipality's report, asked for by its methodologist (or the operator); the request is
    written to the log of each organisation of the area."""
    now = now or timezone.now()
    if not areas_for_user(actor).filter(pk=area.pk).exists():
        raise NotFound(_("Муниципалитет не найден."))
    month = month_start(month)
    organisations = area_organisations(area)
    _check_month(month, area_latest_month(organisations, now), area_report_months(organisations, now=now))
    with transaction.atomic():
        report = _request({"area": area, "kind": MonthlyReport.Kind.AREA}, month, actor, now)
        area_audit(
            area=area,
            actor=actor,
            action="stats.area_report_requested",
            organisations=organisations,
            details={"month": f"{month:%Y-%m}", "format": "PDF"},
        )
    return report


def area_report_downloaded(*, report: MonthlyReport, actor) -> None:
    """Tell each organisation of the area that the municipality took its report (the roll-up's «exported»)."""
    area_audit(
        area=report.area,
        actor=actor,
        action="stats.area_exported",
        organisations=area_organisations(report.area),
        details={"month": f"{report.month:%Y-%m}", "format": "PDF", "report": report.pk},
    )


def _request(owner: dict, month: date, actor, now: datetime) -> MonthlyReport:
    with transaction.atomic():
        # The row lock makes two requests at once queue one job.
        report, created = MonthlyReport.objects.select_for_update().get_or_create(
            **owner, month=month, defaults={"requested_by": actor, "requested_at": now}
        )
        if not created and report.is_busy(now):
            return report
        if not created:
            report.status, report.error = MonthlyReport.Status.PENDING, ""
            report.requested_by, report.requested_at = actor, now
            report.save(update_fields=["status", "error", "requested_by", "requested_at"])
        transaction.on_commit(lambda: _queue([report.pk]))
    return report


def monthly_report_build(*, report_id: int, now: datetime | None = None) -> MonthlyReport | None:
    """Build a pending report's PDF, store it under a random name with its SHA-256 and size, and replace the
    previous file. Safe to run twice: a report no longer pending is left as it is."""
    report = MonthlyReport.objects.select_related("organisation", "area").filter(pk=report_id).first()
    if report is None or report.status != MonthlyReport.Status.PENDING:
        return report
    storage = report.file.storage
    try:
        stored = file_store(
            storage,
            report_path(report, "report.pdf"),
            lambda: render_pdf(report_document(report, now=now)),
            failures=FAILURES,
            unexpected=UNEXPECTED,
            what=f"Monthly report {report_id}",
        )
    except JobFailed as failure:
        MonthlyReport.fail(report_id, failure.message)
        return MonthlyReport.objects.get(pk=report_id)
    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update().get(pk=report_id)
        previous = report.file.name
        report.file.name, report.sha256, report.size = stored.name, stored.sha256, stored.size
        report.status, report.error = MonthlyReport.Status.READY, ""
        report.generated_at = timezone.now()
        report.save(update_fields=["file", "sha256", "size", "status", "error", "generated_at"])
        if previous != stored.name:
            files_delete_on_commit(storage, [previous])
    return report


# ---- the monthly job ------------------------------------------------------------------------------------------


def monthly_reports_due(*, now: datetime | None = None) -> list[tuple[Organisation, date]]:
    """(organisation, month) whose report the monthly job should build now: the month has ended in the
    organisation's time, its last day is filled in the statistics, there are figures for it, and no report is
    ready or being built (a failed one is tried again)."""
    now = now or timezone.now()
    wanted = len(indicators())
    filled = {
        row["organisation_id"]: row["last"]
        for row in FillState.objects.filter(indicator__in=[i.id for i in indicators()])
        .values("organisation_id")
        .annotate(last=Min("last_filled_day"), n=Count("id"))
        if row["n"] == wanted
    }
    candidates = []
    for organisation in Organisation.objects.filter(is_active=True, pk__in=filled.keys()).order_by("pk"):
        month = last_ended_month(organisation.time_zone, now)
        if filled[organisation.pk] >= month_end(month):
            candidates.append((organisation, month))
    existing = {
        (r.organisation_id, r.month): r
        for r in MonthlyReport.objects.filter(
            kind=MonthlyReport.Kind.ORGANISATION,
            organisation_id__in=[o.pk for o, _ in candidates],
            month__in={m for _, m in candidates},
        )
    }
    due = []
    for organisation, month in candidates:
        report = existing.get((organisation.pk, month))
        if report is not None and not _to_retry(report, now):
            continue
        in_month = OrgDayCount.objects.filter(organisation=organisation, day__gte=month, day__lte=month_end(month))
        if in_month.exists():
            due.append((organisation, month))
    return due


def _to_retry(report: MonthlyReport, now: datetime) -> bool:
    """Failed, or still pending long after its worker should have finished."""
    return report.status == MonthlyReport.Status.FAILED or (report.under_way and not report.is_busy(now))


def area_reports_due(*, now: datetime | None = None) -> list[tuple[Area, date]]:
    """(area, month) whose report the monthly job should build now: the month has ended for every organisation of
    the area, each has its last day filled (or the job's last run of the month has come), one of them has figures
    for it, and no report is ready or being built (a failed one is tried again). A fixed number of queries plus
    one per area due."""
    now = now or timezone.now()
    members = {}
    for organisation in Organisation.objects.filter(is_active=True).only("pk", "region", "municipality", "time_zone"):
        key = (area_key(organisation.region), area_key(organisation.municipality))
        members.setdefault(key, []).append(organisation)
    areas = [
        (a, members[key]) for a in Area.objects.order_by("pk") if (key := (a.region_key, a.municipality_key)) in members
    ]
    if not areas:
        return []
    filled = selectors.fill_days(
        organisation_ids=[o.pk for _, orgs in areas for o in orgs], indicator_ids=[i.id for i in indicators()]
    )
    candidates = []
    for area, organisations in areas:
        month = area_latest_month(organisations, now)
        every = all(filled[o.pk] is not None and filled[o.pk] >= month_end(month) for o in organisations)
        last_run = local_day(now, area_time_zone(organisations)) >= month_end(month) + timedelta(days=LAST_RUN_DAY)
        if every or last_run:
            candidates.append((area, organisations, month))
    existing = {
        (r.area_id, r.month): r
        for r in MonthlyReport.objects.filter(
            kind=MonthlyReport.Kind.AREA,
            area_id__in=[a.pk for a, _, _ in candidates],
            month__in={m for _, _, m in candidates},
        )
    }
    due = []
    for area, organisations, month in candidates:
        report = existing.get((area.pk, month))
        if report is not None and not _to_retry(report, now):
            continue
        in_month = OrgDayCount.objects.filter(
            organisation_id__in=[o.pk for o in organisations], day__gte=month, day__lte=month_end(month)
        )
        if in_month.exists():
            due.append((area, month))
    return due


def monthly_reports_schedule(*, now: datetime | None = None) -> int:
    """Mark the due reports pending and queue their building: the organisations', then the municipalities'; returns
    how many. Run twice, queues nothing new."""
    now = now or timezone.now()
    owners = [
        *(({"organisation": o, "kind": MonthlyReport.Kind.ORGANISATION}, m) for o, m in monthly_reports_due(now=now)),
        *(({"area": a, "kind": MonthlyReport.Kind.AREA}, m) for a, m in area_reports_due(now=now)),
    ]
    ids = []
    for owner, month in owners:
        with transaction.atomic():
            report, created = MonthlyReport.objects.select_for_update().get_or_create(
                **owner, month=month, defaults={"requested_at": now}
            )
            if not created and not _to_retry(report, now):
                continue  # a director or a methodologist asked for it meanwhile
            report.status, report.error, report.requested_at = MonthlyReport.Status.PENDING, "", now
            report.save(update_fields=["status", "error", "requested_at"])
        ids.append(report.pk)
    transaction.on_commit(lambda: _queue(ids))
    return len(ids)
