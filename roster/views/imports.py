"""Roster import pages: upload, column mapping, the preview with fixes, progress, the result and its error report."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from invites.services.sending import invite_mailing_start
from orgs.models import Group
from orgs.web import org_page
from portal.downloads import file_response
from portal.exceptions import NotFound, PortalError
from portal.jobs import stored_file_response
from portal.spreadsheets import XLSX_TYPE
from portal.web import apply_error_to_form

from .. import selectors
from ..columns import FIELDS, mapping_problems
from ..forms import MappingForm, RowForm, UploadForm
from ..models import KitPrint, RosterImport
from ..permissions import MANAGE_ROSTER, can_create_classes
from ..planning import plan_build
from ..reading import MAX_BYTES
from ..report import error_report_filename, error_report_xlsx
from ..services.apply import error_rows, roster_import_progress
from ..services.imports import (
    roster_import_allow_classes,
    roster_import_confirm,
    roster_import_create,
    roster_import_fix_row,
    roster_import_set_mapping,
)
from ..services.kits import kit_print_progress, kit_print_start

Status = RosterImport.Status
SHOWN_ROWS = 500


def _capfirst(text) -> str:
    text = str(text)
    return text[:1].upper() + text[1:]


@org_page(MANAGE_ROSTER)
def roster_home(request, org):
    """«Импорт контингента»: the upload form and the imports made so far."""
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            imp = roster_import_create(
                organisation=org,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                file_name=upload.name,
                data=upload.read(MAX_BYTES + 1),
            )
        except PortalError as error:
            apply_error_to_form(form, error)
        else:
            if mapping_problems(imp.kind, imp.mapping, org.vocabulary):
                messages.warning(request, _("Не все столбцы удалось узнать: укажите, где что."))
                return redirect("roster:mapping", org.pk, imp.pk)
            return redirect("roster:import", org.pk, imp.pk)
    imports = selectors.roster_imports_for(request.user, org)[:20]
    status = 400 if request.method == "POST" else 200
    return render(request, "roster/home.html", {"form": form, "imports": imports}, status=status)


@org_page(MANAGE_ROSTER)
def roster_mapping(request, org, import_id):
    imp = selectors.roster_import_get(request.user, org, import_id)
    form = MappingForm(
        request.POST or None, kind=imp.kind, headers=imp.headers, mapping=imp.mapping, vocabulary=org.vocabulary
    )
    if request.method == "POST" and form.is_valid():
        try:
            roster_import_set_mapping(imp=imp, actor=request.user, mapping=form.cleaned_data)
        except PortalError as error:
            apply_error_to_form(form, error)
        else:
            return redirect("roster:import", org.pk, imp.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "roster/mapping.html", {"imp": imp, "form": form}, status=status)


def _preview(request, org, imp):
    plan = plan_build(imp)
    attention = [line for line in plan.lines if not line.ok]
    context = {
        "imp": imp,
        "plan": plan,
        "totals": plan.totals,
        "attention": attention[:SHOWN_ROWS],
        "lines": plan.lines[:SHOWN_ROWS],
        "more": max(0, len(plan.lines) - SHOWN_ROWS),
        "fields": FIELDS[imp.kind],
        "may_create_classes": can_create_classes(request.user, org),
    }
    return render(request, "roster/preview.html", context)


@org_page(MANAGE_ROSTER)
def roster_import(request, org, import_id):
    """One import: its preview while it is a draft, its progress while the job runs, then its result."""
    imp = selectors.roster_import_get(request.user, org, import_id)
    if imp.status in (Status.DRAFT, Status.FAILED):
        if mapping_problems(imp.kind, imp.mapping, org.vocabulary):
            return redirect("roster:mapping", org.pk, imp.pk)
        return _preview(request, org, imp)
    groups = Group.objects.filter(organisation=org, pk__in=imp.result.get("group_ids", [])).order_by("grade", "name")
    context = {"imp": imp, "progress": roster_import_progress(imp), "groups": groups, "errors": imp.errors[:SHOWN_ROWS]}
    if imp.status == Status.DONE:
        links = [invite for _group, invites in selectors.roster_import_links(imp) for invite in invites]
        context.update(links_count=len(links), with_email=sum(1 for invite in links if invite.recipient_email))
        context["kit_print"] = selectors.kit_print_latest(imp)
    return render(request, "roster/result.html", context)


@org_page(MANAGE_ROSTER)
def roster_row(request, org, import_id, number):
    """Correct one row of the preview."""
    imp = selectors.roster_import_get(request.user, org, import_id)
    line = next((line for line in plan_build(imp).lines if line.number == number), None)
    if line is None:
        messages.error(request, _("В файле нет такой строки."))
        return redirect("roster:import", org.pk, imp.pk)
    form = RowForm(request.POST or None, kind=imp.kind, values=line.values, vocabulary=org.vocabulary)
    if request.method == "POST" and form.is_valid():
        try:
            roster_import_fix_row(imp=imp, actor=request.user, number=number, values=form.cleaned_data)
        except PortalError as error:
            apply_error_to_form(form, error)
        else:
            messages.success(request, _("Строка %(n)s исправлена.") % {"n": number})
            return redirect("roster:import", org.pk, imp.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "roster/row.html", {"imp": imp, "line": line, "form": form}, status=status)


@require_POST
@org_page(MANAGE_ROSTER)
def roster_classes(request, org, import_id):
    """«Создать при загрузке»: the missing classes ticked in the preview."""
    imp = selectors.roster_import_get(request.user, org, import_id)
    names = request.POST.getlist("class")
    if not names:
        messages.error(request, _("Отметьте %(groups)s, которые нужно создать.") % {"groups": org.vocabulary.groups})
    else:
        try:
            roster_import_allow_classes(imp=imp, actor=request.user, names=names)
        except PortalError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("%(groups)s будут созданы при загрузке: %(names)s.")
                % {"groups": _capfirst(org.vocabulary.groups), "names": ", ".join(names)},
            )
    return redirect("roster:import", org.pk, imp.pk)


@require_POST
@org_page(MANAGE_ROSTER)
def roster_confirm(request, org, import_id):
    imp = selectors.roster_import_get(request.user, org, import_id)
    try:
        roster_import_confirm(imp=imp, actor=request.user)
    except PortalError as error:
        messages.error(request, error.message)
    return redirect("roster:import", org.pk, imp.pk)


@org_page(MANAGE_ROSTER)
def roster_progress(request, org, import_id):
    """Rows done of the total, as JSON, for the page that shows the job's progress."""
    imp = selectors.roster_import_get(request.user, org, import_id)
    return JsonResponse(roster_import_progress(imp))


@require_POST
@org_page(MANAGE_ROSTER)
def roster_kits(request, org, import_id):
    """«Распечатать все комплекты»: a background job prints every class's cards from the links the import made
    into one PDF, each class from a new page; the import's page shows its progress, then the file. A click while
    a job is under way shows that job."""
    imp = selectors.roster_import_get(request.user, org, import_id)
    try:
        _job, created = kit_print_start(imp=imp, actor=request.user)
    except PortalError as error:
        messages.error(request, error.message)
    else:
        if not created:
            messages.info(request, _("Комплекты уже печатаются: дождитесь, пока будет готов этот файл."))
    return redirect(reverse("roster:import", args=[org.pk, imp.pk]) + "#all-kits-title")


@org_page(MANAGE_ROSTER)
def roster_kits_progress(request, org, import_id, job_id):
    """Classes printed of the total, as JSON, for the page that shows the kits' job."""
    imp = selectors.roster_import_get(request.user, org, import_id)
    return JsonResponse(kit_print_progress(selectors.kit_print_get(imp, job_id)))


@org_page(MANAGE_ROSTER)
def roster_kits_file(request, org, import_id, job_id):
    """The kits' file the job made."""
    imp = selectors.roster_import_get(request.user, org, import_id)
    job = selectors.kit_print_get(imp, job_id)
    if job.status != KitPrint.Status.DONE or not job.file:
        raise NotFound(_("Файл комплектов ещё не готов."), code="kit_print_not_ready")
    return stored_file_response(request, job.file, filename=f"invites-{org.pk}-import-{imp.pk}.pdf")


@require_POST
@org_page(MANAGE_ROSTER)
def roster_mail(request, org, import_id):
    """«Разослать по e-mail»: every working link of the import that has an address, as one background job."""
    imp = selectors.roster_import_get(request.user, org, import_id)
    invites = [
        invite for _group, invites in selectors.roster_import_links(imp) for invite in invites if invite.recipient_email
    ]
    try:
        mailing = invite_mailing_start(organisation=org, actor=request.user, invites=invites)
    except PortalError as error:
        messages.error(request, error.message)
        return redirect("roster:import", org.pk, imp.pk)
    messages.success(request, _("Рассылка запущена: писем — %(n)s.") % {"n": len(invites)})
    return redirect("invites:mailing", org.pk, mailing.pk)


@org_page(MANAGE_ROSTER)
def roster_errors(request, org, import_id):
    """The rows left out and why, as XLSX: after the job its own list, before it the preview's."""
    imp = selectors.roster_import_get(request.user, org, import_id)
    rows = imp.errors if imp.status == Status.DONE else error_rows(plan_build(imp))
    return file_response(error_report_xlsx(imp, rows), XLSX_TYPE, error_report_filename(imp))
