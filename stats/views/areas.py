"""«Муниципалитет»: the methodologist's table of the area's organisations against the targets, its CSV and XLSX, and
the targets of the area, and its monthly reports (PDF); the targets of an organisation for its administrators. Every
look at the table, every export and every request or download of a report is written to the log of each organisation
shown."""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from orgs.web import org_page
from portal.exceptions import NotFound
from portal.web import perform

from .. import rollup as r
from .. import selectors
from ..area_exports import CONTENT_TYPES, EXPORTS
from ..areas import area_get, area_organisations
from ..dashboard import PERIODS
from ..forms import TargetsForm
from ..permissions import SET_TARGETS
from ..services.areas import area_audit, period_text, targets_set
from ..services.report_jobs import area_report_downloaded, area_report_months, area_report_request
from ..targets import area_targets, organisation_targets
from .organisation import REPORTS_PER_PAGE, report_file_response, report_form, reports_context


def _area(request, area_id):
    try:
        return area_get(request.user, area_id)
    except NotFound:
        raise Http404 from None


def _headers(column: str, descending: bool, period: int) -> list[dict]:
    """Each column's header with the link that sorts by it (the sorted one reverses) and its aria-sort."""
    headers = []
    for key, label in r.COLUMNS:
        current = key == column
        reverse = "asc" if current and descending else "desc" if current or key != "name" else "asc"
        headers.append(
            {
                "key": key,
                "label": label,
                "href": f"?days={period}&sort={key}&dir={reverse}",
                "aria_sort": ("descending" if descending else "ascending") if current else None,
            }
        )
    return headers


@login_required
def area_stats(request, area_id):
    """The table (or, with ?export=csv|xlsx, its file); sorted by ?sort= and ?dir=, over ?days=30|90."""
    area = _area(request, area_id)
    period = 90 if request.GET.get("days") == "90" else 30
    export = request.GET.get("export")
    if export is not None and export not in EXPORTS:
        raise Http404
    organisations = area_organisations(area)
    filled, day = r.report_day(organisations)
    table = r.rollup(area, organisations, first=day - timedelta(days=period - 1), last=day, filled=filled)
    details = {"period": period_text(table.first, table.day)}
    if export:
        area_audit(
            area=area,
            actor=request.user,
            action="stats.area_exported",
            organisations=organisations,
            details={**details, "format": export.upper()},
        )
        response = HttpResponse(EXPORTS[export](table), content_type=CONTENT_TYPES[export])
        response["Content-Disposition"] = f'attachment; filename="area-{area.pk}-{table.day:%Y-%m-%d}.{export}"'
        return response
    area_audit(area=area, actor=request.user, action="stats.area_viewed", organisations=organisations, details=details)
    column = request.GET.get("sort") if request.GET.get("sort") in r.COLUMN_KEYS else "name"
    descending = request.GET.get("dir") == "desc"
    targets = area_targets(area)
    context = {
        "area": area,
        "table": table,
        "rows": [(row, r.row_cells(row)) for row in r.sort_rows(table.rows, column, descending)],
        "total": (table.total, r.row_cells(table.total)),
        "headers": _headers(column, descending, period),
        "sort": column,
        "dir": "desc" if descending else "asc",
        "period": period,
        "periods": PERIODS,
        "keys": r.KEYS,
        "min_people": r.MIN_PEOPLE,
        "form": TargetsForm(targets=targets),
        "targets": targets.values(),
    }
    return render(request, "stats/area.html", context)


def _form_errors(form) -> str:
    return " ".join(f"{form.fields[name].label}: {error}" for name, errors in form.errors.items() for error in errors)


def _targets_save(request, targets, done: str, **owner) -> None:
    """Check the posted target values against `targets` and save them for the area or the organisation (`owner`)."""
    form = TargetsForm(request.POST, targets=targets)
    if not form.is_valid():
        messages.error(request, _form_errors(form))
        return
    perform(request, lambda: targets_set(actor=request.user, values=form.cleaned_data, **owner), done)


@require_POST
@login_required
def area_targets_edit(request, area_id):
    area = _area(request, area_id)
    _targets_save(request, area_targets(area), _("Целевые значения муниципалитета сохранены."), area=area)
    return redirect("stats:area", area.pk)


@require_POST
@org_page(SET_TARGETS)
def org_targets_edit(request, org):
    _targets_save(request, organisation_targets(org), _("Целевые значения организации сохранены."), organisation=org)
    return redirect("stats:dashboard", org.pk)


@require_http_methods(["GET", "POST"])
@login_required
def area_reports(request, area_id):
    """The area's stored monthly reports and the form that asks for one (its methodologists, the operator)."""
    area = _area(request, area_id)
    months = area_report_months(area_organisations(area))
    form, asked = report_form(
        request, months, lambda month: area_report_request(area=area, month=month, actor=request.user)
    )
    if asked:
        return redirect("stats:area_reports", area.pk)
    page = Paginator(selectors.monthly_reports(area_id=area.pk), REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"area": area, **reports_context(form, months, page, "stats:area_report_file", area.pk)}
    return render(request, "stats/reports.html", context)


@login_required
def area_report_file(request, area_id, report_id):
    area = _area(request, area_id)
    report = selectors.monthly_reports(area_id=area.pk).filter(pk=report_id).select_related("area").first()
    if report is None:
        raise Http404
    response = report_file_response(request, report)
    area_report_downloaded(report=report, actor=request.user)
    return response
