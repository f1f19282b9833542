"""«Статистика»: the dashboard of the organisation for administrators and leaders, of their own classes for
curators. It reads only the statistics tables (stats.dashboard → stats.selectors)."""

from datetime import timedelta

from django.shortcuts import render

from orgs.views._base import org_page

from . import dashboard as d


@org_page()
def stats_dashboard(request, org):
    """Who may see what is decided per object: the organisation (view_statistics) or a class
    (view_group_statistics); anyone else gets 403, another organisation's user 404 (org_page)."""
    group_ids = d.stats_scope(request.user, org)
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
    }
    return render(request, "stats/dashboard.html", context)
