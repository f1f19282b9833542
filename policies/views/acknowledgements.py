"""Pages of the acknowledgements and the user agreement: what a person must read (and the button «Подтверждаю
ознакомление»), the progress of a version for the administrators and the director with paper records and the «Лист
ознакомления», and the acceptance of the user agreement that every page waits for."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgs.web import org_page
from portal.accounts.models import User
from portal.downloads import file_response
from portal.exceptions import NotFound
from portal.spreadsheets import XLSX_TYPE
from portal.web import perform

from .. import selectors, selectors_ack
from ..forms import AudienceForm, PaperAcknowledgementForm, TermsForm
from ..models import AcknowledgementCampaign, Document
from ..permissions import can_manage_documents, can_see_drafts
from ..services.acknowledgements import acknowledgement_record, acknowledgement_record_paper, document_audience_set
from ..services.terms import terms_accept
from ..sheet import sheet_filename, sheet_pdf, sheet_xlsx


def _with_text(campaigns):
    for campaign in campaigns:
        campaign.sections = selectors.version_clauses(campaign.current)
    return campaigns


@login_required
def acknowledge_list(request):
    return render(
        request,
        "policies/acknowledge.html",
        {
            "campaigns": _with_text(selectors_ack.pending_for_user(request.user)),
            "children": [
                {"child": c.child, "organisation": c.organisation, "campaigns": _with_text(c.campaigns)}
                for c in selectors_ack.children_pending_for(request.user)
            ],
        },
    )


@login_required
@require_POST
def acknowledge(request, campaign_id):
    campaign = AcknowledgementCampaign.objects.select_related("document__organisation").filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404
    child = None
    if request.POST.get("child"):
        child = User.objects.filter(pk=request.POST["child"]).first() if request.POST["child"].isdigit() else None
        if child is None:
            raise Http404
    done = _("Отмечено: вы ознакомлены с документом.") if child is None else _("Отмечено ознакомление ребёнка.")
    perform(request, lambda: acknowledgement_record(campaign=campaign, actor=request.user, child=child), done)
    return redirect("policies:acknowledge")


def _campaign(request, org, version_id):
    if not can_see_drafts(request.user, org):
        raise PermissionDenied
    try:
        return selectors_ack.campaign_get(org, version_id)
    except NotFound:
        raise Http404 from None


@org_page()
def progress(request, org, version_id):
    campaign = _campaign(request, org, version_id)
    p = selectors_ack.progress(campaign)
    done = [r for r in p.done if not r.left]
    return render(
        request,
        "policies/progress.html",
        {
            "campaign": campaign,
            "version": campaign.asked_version,
            "current": selectors_ack.version_in_force_of(campaign),
            "progress": p,
            "done_count": len(done),
            "total": len(done) + len(p.pending),
            "can_record": can_manage_documents(request.user, org) and campaign.closed_at is None,
            "paper_form": PaperAcknowledgementForm(),
        },
    )


@org_page()
@require_POST
def paper(request, org, version_id):
    campaign = _campaign(request, org, version_id)
    form = PaperAcknowledgementForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Укажите дату подписи."))
        return redirect("policies:progress", org.pk, version_id)
    person = User.objects.filter(pk=form.cleaned_data["person"]).first()
    if person is None:
        raise Http404
    perform(
        request,
        lambda: acknowledgement_record_paper(
            campaign=campaign, actor=request.user, person=person, day=form.cleaned_data["day"]
        ),
        _("Подпись на бумажном листе записана."),
    )
    return redirect("policies:progress", org.pk, version_id)


@org_page()
def sheet(request, org, version_id, extension):
    campaign = _campaign(request, org, version_id)
    if extension == "pdf":
        return file_response(sheet_pdf(campaign), "application/pdf", sheet_filename(campaign, "pdf"))
    return file_response(sheet_xlsx(campaign), XLSX_TYPE, sheet_filename(campaign, "xlsx"))


@org_page()
@require_POST
def audience(request, org, kind):
    if kind not in Document.Kind.values or kind == Document.Kind.USER_TERMS:
        raise Http404
    form = AudienceForm(request.POST)
    form.is_valid()  # two check boxes: an absent one is «no»
    document = Document.objects.filter(organisation=org, kind=kind).first()
    if document is None:
        raise Http404
    perform(
        request,
        lambda: document_audience_set(document=document, actor=request.user, **form.cleaned_data),
        _("Круг ознакомления сохранён."),
    )
    return redirect("policies:documents", org.pk)


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


@login_required
def terms(request):
    pending = list(selectors_ack.terms_pending_for(request.user).order_by("document__organisation__short_name"))
    form = TermsForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done, ok = perform(
            request,
            lambda: terms_accept(
                actor=request.user,
                version_ids=[v.pk for v in pending],
                **form.cleaned_data,
            ),
            _("Спасибо: соглашение принято, согласие на обработку персональных данных записано."),
        )
        if ok:
            return redirect(_next(request) or "orgs:home")
    if not pending and request.method == "GET":
        return redirect(_next(request) or "orgs:home")
    for version in pending:
        version.sections = selectors.version_clauses(version)
    return render(request, "policies/terms.html", {"versions": pending, "form": form, "next": _next(request)})
