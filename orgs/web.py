"""What every page of an organisation shares (public: the pages of every app above orgs use it): find the
organisation with the user's rights, check a right, and switch the page to the organisation. The helpers that know
nothing of organisations (`perform`, `apply_error_to_form`, `back`) are in `portal/web.py`."""

from functools import wraps
from zoneinfo import ZoneInfo

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from portal.exceptions import NotFound

from .selectors import organisation_get


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
