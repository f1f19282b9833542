"""What every organisation page shares: fetch the organisation, check the right, turn rule failures into messages."""

from collections.abc import Callable
from functools import wraps
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from portal.exceptions import NotFound, PortalError

from ..selectors import organisation_get


def enter_organisation(request, org) -> None:
    """The page belongs to this organisation: its navigation and vocabulary, and its clocks for every time shown
    (PortalLocaleMiddleware returns to the default zone after the response)."""
    request.organisation = org
    timezone.activate(ZoneInfo(org.time_zone))


def org_page(perm: str | None = None):
    """Decorate a view taking (request, org, ...): 404 for an organisation the user cannot see, 403 without `perm`."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, org_id, *args, **kwargs):
            try:
                org = organisation_get(request.user, org_id)
            except NotFound:
                raise Http404 from None
            enter_organisation(request, org)
            if perm and not request.user.has_perm(f"orgs.{perm}", org):
                raise PermissionDenied
            try:
                return view(request, org, *args, **kwargs)
            except NotFound:
                raise Http404 from None

        return wrapper

    return decorator


def require_perm(user, perm: str, obj) -> None:
    if not user.has_perm(f"orgs.{perm}", obj):
        raise PermissionDenied


def perform(request, action: Callable, success: str):
    """Run one service call; its rule failure becomes an error message. Returns (result, succeeded)."""
    try:
        result = action()
    except PortalError as error:
        messages.error(request, error.message)
        return None, False
    except DjangoValidationError as error:
        messages.error(request, " ".join(error.messages))
        return None, False
    if success:
        messages.success(request, success)
    return result, True


def apply_error_to_form(form, error) -> None:
    """Show a service's failure beside the fields it names, or above the form."""
    if isinstance(error, PortalError):
        placed = False
        for field in error.fields or {}:
            if field in form.fields:
                form.add_error(field, error.message)
                placed = True
        if not placed:
            form.add_error(None, error.message)
    elif isinstance(error, DjangoValidationError):
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error.messages)


def back(request, fallback: str, *args):
    """Redirect to the page the form was posted from when it is one of ours, else to `fallback`."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect(fallback, *args)
