"""Join requests: the approvers' queue, and the public way to ask — search an organisation, then send a request."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgs.models import Organisation
from orgs.web import org_page
from portal.exceptions import PortalError
from portal.quotes import inner_quotes
from portal.web import apply_error_to_form, perform

from .. import selectors
from ..forms import JoinRequestForm, OrganisationSearchForm, RejectForm
from ..models import JoinRequest
from ..services.join_requests import (
    join_request_approve,
    join_request_create,
    join_request_reject,
    join_request_withdraw,
)

PAGE_SIZE = 25
Status = JoinRequest.Status


@org_page("view_org")
def join_request_list(request, org):
    if not selectors.may_decide_join_requests(request.user, org):
        raise PermissionDenied
    status = request.GET.get("status") or Status.PENDING
    if status not in Status.values:
        status = Status.PENDING
    requests = selectors.join_requests_for_user(request.user, org).filter(status=status)
    requests = requests.order_by("created_at", "id") if status == Status.PENDING else requests.order_by("-decided_at")
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    children = selectors.children_to_choose(page.object_list)
    for join_request in page.object_list:
        join_request.children_to_choose = children.get(join_request.group_id) if join_request.child_id is None else None
    context = {
        "page": page,
        "status": status,
        "statuses": Status.choices,
        "stale_before": timezone.now() - timedelta(days=settings.JOIN_REQUEST_STALE_DAYS),
        "stale_days": settings.JOIN_REQUEST_STALE_DAYS,
    }
    return render(request, "invites/join_requests.html", context)


@require_POST
@org_page("view_org")
def join_request_decide(request, org, request_id, action):
    join_request = selectors.join_request_get(request.user, org, request_id)
    if action == "approve":
        child = request.POST.get("child", "")
        child_id = int(child) if child.isdigit() else None
        perform(
            request,
            lambda: join_request_approve(request=join_request, actor=request.user, child_id=child_id),
            _("Заявка одобрена: %(name)s — участник организации.") % {"name": join_request.user.full_name},
        )
    elif action == "reject":
        form = RejectForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        perform(
            request,
            lambda: join_request_reject(request=join_request, actor=request.user, reason=reason),
            _("Заявка отклонена; %(name)s получит письмо с причиной.") % {"name": join_request.user.full_name},
        )
    else:
        raise Http404
    return redirect("invites:join_requests", org.pk)


def organisation_search(request):
    """Public: find an organisation by name or municipality to ask to join it."""
    form = OrganisationSearchForm(request.GET or None)
    page = None
    if form.is_bound and form.is_valid() and (form.cleaned_data["q"] or form.cleaned_data["municipality"]):
        results = selectors.organisations_search(
            form.cleaned_data["q"].strip(), form.cleaned_data["municipality"].strip()
        )
        page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "invites/search.html", {"form": form, "page": page})


def _public_org(org_id) -> Organisation:
    org = Organisation.objects.filter(pk=org_id, is_active=True).first()
    if org is None:
        raise Http404
    return org


@login_required
def join_request_new(request, org_id):
    """«Подать заявку на вступление»: a role, a class and a message; approvers are told."""
    org = _public_org(org_id)
    form = JoinRequestForm(request.POST or None, org=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            join_request_create(
                organisation=org,
                user=request.user,
                role=data["role"],
                group=data.get("group") if data["role"] != "teacher" else None,
                message=data.get("message", ""),
            )
        except (PortalError, DjangoValidationError) as error:
            apply_error_to_form(form, error)
        else:
            return redirect("invites:join_request_sent", org.pk)
    return render(request, "invites/request_form.html", {"form": form, "org": org}, status=400 if form.errors else 200)


@login_required
def join_request_sent(request, org_id):
    return render(request, "invites/request_sent.html", {"org": _public_org(org_id)})


@login_required
def join_request_withdraw_view(request, request_id):
    """«Отозвать заявку»: the applicant confirms on a page (no script needed), then the request is withdrawn."""
    join_request = next((r for r in selectors.join_requests_of_applicant(request.user) if r.pk == request_id), None)
    if join_request is None:
        raise Http404
    if request.method == "POST":
        try:
            join_request_withdraw(request=join_request, actor=request.user)
        except PortalError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request,
                _("Заявка в «%(org)s» отозвана.") % {"org": inner_quotes(join_request.organisation.short_name)},
            )
        return redirect("orgs:home")
    return render(request, "invites/request_withdraw.html", {"r": join_request})
