"""What every browser page shares, whatever the app: run a service and show its failure as a message or beside the
form's fields, go back to the page a form was posted from, and give the navigation an app's entry. The organisation's
pages add `orgs/web.py`."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import redirect
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme

from portal.exceptions import PortalError


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


def org_nav_entry(request, name: str, compute: Callable) -> dict:
    """A context processor's answer: `name` is None outside an organisation or for a visitor, else what
    `compute(user, organisation)` returns, computed only when a template reads it and once per request."""
    org = getattr(request, "organisation", None)
    user = getattr(request, "user", None)
    if org is None or user is None or not user.is_authenticated:
        return {name: None}
    return {name: SimpleLazyObject(lambda: compute(user, org))}
