"""«Статистика»: the dashboard of the organisation for administrators and leaders, of their own classes for
curators. It reads only the statistics tables (stats.dashboard → stats.selectors)."""

from datetime import timedelta

from django.shortcuts import render

from orgs.views._base import org_page

from . import dashboard as d
from .forms import TargetsForm
from .targets import organisation_targets


@org_page()
def stats_dashboard(request, org):
    """Who may see what is decided per object: the organisation (view_statistics) or a class
    (view_group_statistics); anyone else gets 403, another organisation's user 404 (org_page)."""
    group_ids = d.stats_scope(request.user, org)
    period = 90 if request.GET.get("days") == "90" else 30
    fresh = d.freshness(org)
    day = d.report_day(org, fresh)
    rows = d.daily(org, group_ids, day - timedelta(days=period - 1), day)
    whole = group_ids is None
    targets = organisation_targets(org) if whole else {}
    context = {
        "whole": whole,
        "period": period,
        "periods": d.PERIODS,
        "fresh": fresh,
        "day": day,
        "headlines": d.headlines(org, day, {k: t.value for k, t in targets.items()}) if whole else [],
        "targets_form": TargetsForm(targets=targets)
        if whole and request.user.has_perm("orgs.manage_org", org)
        else None,
        "charts": d.charts(rows, whole),
        "classes": d.class_rows(org, group_ids, day),
        "thresholds": {"joined": d.JOINED_MIN, "parents": d.PARENTS_MIN, "quiet": d.QUIET_DAYS},
    }
    return render(request, "stats/dashboard.html", context)
