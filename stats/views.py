"""«Статистика»: the dashboard of the organisation for administrators and leaders, of their own classes for
curators, and its export. It reads only the statistics tables (stats.dashboard → stats.selectors)."""

from datetime import timedelta

from django.shortcuts import render

from orgs.views._base import org_page
from portal.downloads import file_response

from . import dashboard as d
from .exports import export_file, stats_export
from .forms import ExportForm


def _dashboard(request, org, group_ids, export_form=None, status=200):
    period = 90 if request.GET.get("days") == "90" else 30
    fresh = d.freshness(org)
    day = d.report_day(org, fresh)
    first = day - timedelta(days=period - 1)
    rows = d.daily(org, group_ids, first, day)
    whole = group_ids is None
    context = {
        "whole": whole,
        "period": period,
        "periods": d.PERIODS,
        "fresh": fresh,
        "day": day,
        "headlines": d.headlines(org, day) if whole else [],
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
        or ExportForm(initial={"from": first, "to": day, "format": "xlsx"}, default_last=day),
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
    form = ExportForm(query, default_last=d.report_day(org, fresh))
    if not form.is_valid():
        return _dashboard(request, org, group_ids, export_form=form, status=400)
    data = form.cleaned_data
    export = stats_export(org, group_ids, data["first"], data["last"], fresh)
    return file_response(*export_file(export, data["file_format"], data["table"]))
