"""A parent's page for the account of their young child, and the child's sign-in by the link the parent made."""

from django.contrib.auth import login, logout
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from orgs.web import org_page
from portal.exceptions import Gone, NotFound, PortalError
from portal.qr import qr_data_uri

from ..services.children import (
    SIGN_IN_DAYS,
    child_class,
    child_sign_in_find,
    child_sign_in_issue,
    child_sign_in_use,
    parent_child_get,
)

BACKEND = "portal.accounts.backends.PhoneOrEmailBackend"


@require_http_methods(["GET", "POST"])
@org_page("view_org")
def child_access(request, org, child_id):
    """«Вход для ребёнка»: the parent makes a single-use sign-in link (and its QR code) for their child's device."""
    try:
        child = parent_child_get(organisation=org, parent=request.user, child_id=child_id)
    except NotFound:
        raise Http404 from None
    context = {"child": child, "group_name": child_class(org, child), "days": SIGN_IN_DAYS}
    status = 200
    if request.method == "POST":
        try:
            _sign_in, token = child_sign_in_issue(organisation=org, parent=request.user, child_id=child.pk)
        except PortalError as error:
            context["error"], status = error.message, error.status
        else:
            url = request.build_absolute_uri(reverse("roster:child_sign_in", args=[token]))
            context.update(link=url, qr=qr_data_uri(url))
    return render(request, "roster/child_access.html", context, status=status)


@require_http_methods(["GET", "POST"])
def child_sign_in(request, token):
    """The child opens the link (GET uses nothing: link previews in messengers must not spend it) and presses
    «Войти»; whoever was signed in on that device is signed out first."""
    try:
        sign_in = child_sign_in_find(token)
        if request.method == "POST":
            child = child_sign_in_use(token=token)
            logout(request)
            login(request, child, backend=BACKEND)
            return redirect("orgs:org_home", sign_in.organisation_id)
    except (NotFound, Gone) as error:
        return render(request, "roster/child_sign_in.html", {"error": error.message}, status=error.status)
    context = {"sign_in": sign_in, "group_name": child_class(sign_in.organisation, sign_in.child)}
    return render(request, "roster/child_sign_in.html", context)
