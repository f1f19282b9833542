"""Pages of account safety in an organisation: the administrators' incident queue, ending a member's sessions, the
help page."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgs.web import org_page
from policies.selectors import approval_text, versions_in_force
from portal.exceptions import NotFound
from portal.web import perform

from .. import selectors, services
from ..permissions import MANAGE_INCIDENTS

PAGE_SIZE = 25


@org_page(MANAGE_INCIDENTS)
def incidents(request, org):
    page = Paginator(selectors.incidents_for_admin(request.user, org), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "safety/incidents.html", {"page": page})


@require_POST
@org_page(MANAGE_INCIDENTS)
def incident_review(request, org, incident_id):
    incident = selectors.incident_get(request.user, org, incident_id)
    perform(request, lambda: services.incident_review(actor=request.user, incident=incident), _("Инцидент рассмотрен."))
    return redirect("safety:incidents", org.pk)


@require_POST
@org_page(MANAGE_INCIDENTS)
def member_sessions_end(request, org, user_id):
    try:
        person = selectors.org_member_get(org, user_id)
    except NotFound:
        raise Http404 from None
    counts = services.member_sessions_end(actor=request.user, organisation=org, person=person)
    messages.success(
        request,
        _("Сеансы завершены: %(sessions)s, API-токенов отозвано: %(tokens)s. %(name)s войдёт заново.")
        % {**counts, "name": person.full_name},
    )
    if person == request.user:
        return redirect("accounts:login")
    return redirect("orgs:person", org.pk, person.pk)


@org_page("view_org")
def help_page(request, org):
    return render(
        request,
        "safety/help.html",
        {
            **selectors.support_people(org),
            "my_roles": selectors.viewer_roles(request.user, org),
            "documents": [(v, approval_text(v)) for v in versions_in_force(org)],
        },
    )
