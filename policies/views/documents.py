"""The documents pages: the list, a version laid out as a document, the draft editor, the workflow's steps, and the
responsible persons. Thin: each parses a form, calls one service and shows its rule failure as a message."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgs.permissions import is_director
from orgs.web import org_page
from portal.exceptions import PortalError
from portal.web import apply_error_to_form, perform

from .. import selectors
from ..forms import AgreementForm, ApprovalForm, ClauseForm, ResponsibleEndForm, ResponsibleForm, VersionCreateForm
from ..models import Document, DocumentVersion, ResponsiblePerson
from ..permissions import can_manage_documents
from ..selectors_ack import campaign_for_version
from ..services.documents import clause_edit, version_create, version_refresh
from ..services.files import PrintedVersion, version_file
from ..services.responsible import responsible_add, responsible_end
from ..services.workflow import version_agreement_add, version_approve, version_return_to_draft


def _taken_on(version: DocumentVersion) -> datetime.date | None:
    """The day the organisation data of the version were taken."""
    try:
        return datetime.date.fromisoformat(version.data.get("taken_on", ""))
    except ValueError:
        return None


def _audience_initial(document: Document) -> dict:
    return {"ask_students": document.ask_students, "ask_parents": document.ask_parents}


def _version(request, org, version_id) -> DocumentVersion:
    return selectors.version_get(request.user, org, version_id)  # NotFound becomes 404 in org_page


@org_page()
def document_list(request, org):
    return render(
        request,
        "policies/documents.html",
        {
            "documents": selectors.documents_for_user(request.user, org),
            "can_edit": can_manage_documents(request.user, org),
            "create_form": VersionCreateForm(),
        },
    )


@org_page()
@require_POST
def version_new(request, org, kind):
    if kind not in Document.Kind.values:
        raise Http404
    form = VersionCreateForm(request.POST)
    major = form.cleaned_data["major"] if form.is_valid() else True
    version, done = perform(
        request,
        lambda: version_create(organisation=org, kind=kind, actor=request.user, major=major),
        _("Проект создан по шаблону из сведений об организации."),
    )
    if done:
        return redirect("policies:version_edit", org.pk, version.pk)
    return redirect("policies:documents", org.pk)


@org_page()
def version_detail(request, org, version_id):
    version = _version(request, org, version_id)
    admin, director = can_manage_documents(request.user, org), is_director(request.user, org)
    status = version.status
    open_ = status in DocumentVersion.OPEN
    context = {
        "version": version,
        "taken_on": _taken_on(version),
        "sections": selectors.version_clauses(version),
        "agreements": list(version.agreements.all()),
        "show_changes": open_ and admin,
        "can_edit": admin and status == DocumentVersion.Status.DRAFT,
        "can_agree": admin and open_,
        "can_return": admin and status == DocumentVersion.Status.AGREEMENT,
        "can_approve": director
        and (
            status == DocumentVersion.Status.AGREEMENT
            or (status == DocumentVersion.Status.DRAFT and version.document.kind == Document.Kind.ORDER)
        ),
        # The author and the editors are told at once that someone else approves (the service refuses them anyway).
        "wrote_it": version.author_id == request.user.pk or version.editors.filter(pk=request.user.pk).exists(),
        "agreement_form": AgreementForm(),
        "approval_form": ApprovalForm(initial=_audience_initial(version.document)),
        "stored_files": selectors.version_stored_files(version),
        "campaign": campaign_for_version(version) if admin or director else None,
    }
    return render(request, "policies/version.html", context)


def printed_response(request, printed: PrintedVersion) -> HttpResponse:
    """The printed version as a download. A stored file's ETag is its SHA-256; a draft's is kept by no cache."""
    etag = f'"{printed.sha256}"'
    if printed.stored and request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(printed.content, content_type=printed.content_type)
        response["Content-Disposition"] = content_disposition_header(True, printed.filename)
        response["X-Content-Type-Options"] = "nosniff"
    if printed.stored:
        response["ETag"] = etag
        response["Cache-Control"] = "private, no-cache"  # checked per person: no shared cache keeps it
    else:
        response["Cache-Control"] = "no-store"
    return response


@org_page()
def version_file_view(request, org, version_id, fmt):
    version = _version(request, org, version_id)
    try:
        printed = version_file(version=version, fmt=fmt)
    except PortalError as error:
        messages.error(request, error.message)
        return redirect("policies:version", org.pk, version.pk)
    return printed_response(request, printed)


@org_page()
def version_edit(request, org, version_id):
    version = _version(request, org, version_id)
    if not can_manage_documents(request.user, org):
        raise PermissionDenied
    if version.status != DocumentVersion.Status.DRAFT:
        messages.info(request, _("Утверждённая или согласуемая версия не редактируется."))
        return redirect("policies:version", org.pk, version.pk)
    sections = selectors.version_clauses(version)
    for section in sections:
        for clause in section["clauses"]:
            clause["form"] = ClauseForm(initial={"text": clause["text"]}, prefix=clause["key"])
    return render(
        request, "policies/edit.html", {"version": version, "sections": sections, "taken_on": _taken_on(version)}
    )


@org_page()
@require_POST
def clause_save(request, org, version_id, key):
    version = _version(request, org, version_id)
    reset = "reset" in request.POST
    form = ClauseForm(request.POST, prefix=key)
    if not reset and not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        text = None if reset else form.cleaned_data["text"]
        success = _("Пункт возвращён к тексту шаблона.") if reset else _("Пункт сохранён.")
        perform(request, lambda: clause_edit(version=version, actor=request.user, key=key, text=text), success)
    return redirect(reverse("policies:version_edit", args=[org.pk, version.pk]) + f"#clause-{key}")


@org_page()
@require_POST
def version_refresh_view(request, org, version_id):
    version = _version(request, org, version_id)
    perform(
        request,
        lambda: version_refresh(version=version, actor=request.user),
        _("Сведения об организации внесены в проект заново; изменённые вами пункты сохранены."),
    )
    return redirect("policies:version_edit", org.pk, version.pk)


@org_page()
@require_POST
def version_agreement(request, org, version_id):
    version = _version(request, org, version_id)
    form = AgreementForm(request.POST)
    if form.is_valid():
        perform(
            request,
            lambda: version_agreement_add(version=version, actor=request.user, **form.cleaned_data),
            _("Согласование записано."),
        )
    else:
        messages.error(request, _("Укажите орган, номер и дату протокола."))
    return redirect("policies:version", org.pk, version.pk)


@org_page()
@require_POST
def version_return(request, org, version_id):
    version = _version(request, org, version_id)
    perform(
        request, lambda: version_return_to_draft(version=version, actor=request.user), _("Проект возвращён в черновик.")
    )
    return redirect("policies:version", org.pk, version.pk)


@org_page()
@require_POST
def version_approve_view(request, org, version_id):
    version = _version(request, org, version_id)
    form = ApprovalForm(request.POST, initial=_audience_initial(version.document))
    if form.is_valid():
        perform(
            request,
            lambda: version_approve(version=version, actor=request.user, **form.cleaned_data),
            _("Документ утверждён."),
        )
    else:
        messages.error(request, _("Проверьте способ утверждения и даты."))
    return redirect("policies:version", org.pk, version.pk)


@org_page()
def responsible_list(request, org):
    admin = can_manage_documents(request.user, org)
    form = ResponsibleForm(organisation=org) if admin else None
    if request.method == "POST":
        if not admin:
            raise PermissionDenied
        form = ResponsibleForm(request.POST, organisation=org)
        if form.is_valid():
            data = form.cleaned_data
            try:
                responsible_add(
                    organisation=org,
                    actor=request.user,
                    person=data["person"].user,
                    duty=data["duty"],
                    position=data["position"],
                    valid_from=data["valid_from"],
                )
            except PortalError as error:
                apply_error_to_form(form, error)
            else:
                messages.success(request, _("Ответственное лицо назначено."))
                return redirect("policies:responsible", org.pk)
    return render(
        request,
        "policies/responsible.html",
        {
            "people": selectors.responsible_for_organisation(org),
            "can_edit": admin,
            "form": form,
            "end_form": ResponsibleEndForm(),
        },
    )


@org_page()
@require_POST
def responsible_end_view(request, org, responsible_id):
    responsible = get_object_or_404(ResponsiblePerson, organisation=org, pk=responsible_id)
    form = ResponsibleEndForm(request.POST)
    if form.is_valid():
        perform(
            request,
            lambda: responsible_end(
                responsible=responsible, actor=request.user, valid_to=form.cleaned_data["valid_to"]
            ),
            _("Обязанности сняты."),
        )
    else:
        messages.error(request, _("Укажите последний день обязанностей."))
    return redirect("policies:responsible", org.pk)
