"""«Статистика»: the dashboard of the organisation for administrators and leaders, of their own classes for
curators, its export, and the monthly reports (PDF) for those who see the whole organisation. It reads only
the statistics tables (stats.dashboard → stats.selectors)."""

from datetime import date, timedelta

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from orgs.web import org_page
from portal.downloads import file_response
from portal.jobs import stored_file_response
from portal.web import perform

from .. import dashboard as d
from .. import selectors
from ..exports import export_file, stats_export
from ..forms import ExportForm, TargetsForm
from ..models import MonthlyReport
from ..permissions import VIEW_STATISTICS, can_set_targets
from ..services.report_jobs import monthly_report_request, report_months
from ..services.reports import month_name
from ..targets import organisation_targets

REPORTS_PER_PAGE = 24


def _dashboard(request, org, group_ids, export_form=None, status=200):
    period = 90 if request.GET.get("days") == "90" else 30
    fresh = d.freshness(org)
    day = d.report_day(org, fresh)
    first = day - timedelta(days=period - 1)
    rows = d.daily(org, group_ids, first, day)
    whole = group_ids is None
    targets = organisation_targets(org) if whole else {}
    context = {
        "whole": whole,
        "period": period,
        "periods": d.PERIODS,
        "fresh": fresh,
        "day": day,
        "headlines": d.headlines(org, day, {k: t.value for k, t in targets.items()}) if whole else [],
        "targets_form": TargetsForm(targets=targets) if whole and can_set_targets(request.user, org) else None,
        "charts": d.charts(rows, whole),
        "classes": d.class_rows(org, group_ids, day),
        "thresholds": {"joined": d.JOINED_MIN, "parents": d.PARENTS_MIN, "quiet": d.QUIET_DAYS},
        # The funnel, join requests, moderation, active users by role and coverage (sections of their own).
        "summary": d.period_summary(org, group_ids, first, day),
        "active": d.active_users(org, group_ids, day),
        "windows": d.WINDOWS,
        "coverage": d.coverage(org, day) if whole else None,
        "decision_hours": d.DECISION_HOURS,
        "export_form": export_form
        or ExportForm(
            initial={"from": first, "to": day, "format": "xlsx"}, default_last=day, vocabulary=org.vocabulary
        ),
    }
    return render(request, "stats/dashboard.html", context, status=status)


@org_page()
def stats_dashboard(request, org):
    """Who may see what is decided per object: the organisation (view_statistics) or a class
    (view_group_statistics); anyone else gets 403, another organisation's user 404 (org_page)."""
    return _dashboard(request, org, d.stats_scope(request.user, org))


@org_page()
def stats_export_file(request, org):
    """The figures of ?from=&to= as ?format=xlsx (the default), csv or csv-classes, for what the user may see of
    the dashboard.
    A wrong period shows the dashboard again, the error beside the field (400)."""
    group_ids = d.stats_scope(request.user, org)
    query = request.GET.copy()
    query.setdefault("format", "xlsx")
    fresh = d.freshness(org)
    form = ExportForm(query, default_last=d.report_day(org, fresh), vocabulary=org.vocabulary)
    if not form.is_valid():
        return _dashboard(request, org, group_ids, export_form=form, status=400)
    data = form.cleaned_data
    export = stats_export(org, group_ids, data["first"], data["last"], fresh)
    return file_response(*export_file(export, data["file_format"], data["table"]))


class ReportRequestForm(forms.Form):
    month = forms.TypedChoiceField(label="Месяц", coerce=date.fromisoformat)

    def __init__(self, *args, months, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [(m.isoformat(), month_name(m).capitalize()) for m in months]


@org_page(VIEW_STATISTICS)
def monthly_reports(request, org):
    """The organisation's stored reports and the form that asks for one (administrators and leaders; a curator's
    statistics are of classes, and a report is the organisation's document with its requisites)."""
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    months = report_months(org)
    form, asked = report_form(
        request, months, lambda month: monthly_report_request(organisation=org, month=month, actor=request.user)
    )
    if asked:
        return redirect("stats:reports", org.pk)
    page = Paginator(selectors.monthly_reports(organisation_id=org.pk), REPORTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "stats/reports.html", reports_context(form, months, page, "stats:report_file", org.pk))


def report_form(request, months, ask) -> tuple[ReportRequestForm, bool]:
    """The form that asks for a month's report; a valid POST asks through `ask(month)` and says when to come back.
    Returns the form and whether a report was asked for (then the page redirects to itself)."""
    form = ReportRequestForm(request.POST or None, months=months)
    if request.method != "POST" or not form.is_valid():
        return form, False
    month = form.cleaned_data["month"]
    done = _("Отчёт за %(month)s готовится… Обновите страницу через минуту, чтобы скачать его.") % {
        "month": month_name(month)
    }
    perform(request, lambda: ask(month), done)
    return form, True


def reports_context(form, months, page, file_url: str, owner_id: int) -> dict:
    """The list of an organisation's or an area's reports: each with its month's name and its file's address."""
    reports = [(r, month_name(r.month), reverse(file_url, args=[owner_id, r.pk])) for r in page]
    return {"form": form, "months": months, "page": page, "reports": reports}


def report_filename(report: MonthlyReport) -> str:
    owner = report.organisation.short_name if report.area_id is None else report.area.municipality
    return f"Отчёт {owner} {report.month:%Y-%m}.pdf"


def report_file_response(request, report: MonthlyReport) -> HttpResponse:
    """The stored PDF with a readable name; its SHA-256 is the ETag (a regenerated report has another)."""
    if not report.file.name or not report.file.storage.exists(report.file.name):
        raise Http404
    # Checked per person: shared caches must not keep it; the browser asks again (ETag) as it may be regenerated.
    return stored_file_response(
        request, report.file, filename=report_filename(report), etag=report.sha256, cache_control="private, no-cache"
    )


@org_page(VIEW_STATISTICS)
def monthly_report_file(request, org, report_id):
    report = selectors.monthly_reports(organisation_id=org.pk).filter(pk=report_id).select_related("organisation")
    report = report.first()
    if report is None:
        raise Http404
    return report_file_response(request, report)
