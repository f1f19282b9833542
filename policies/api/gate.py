"""The API's side of the user agreement: until the person accepts it, every endpoint but the sign-in and account
safety ones and the agreement's own answers 403 with the code «terms_not_accepted»."""

from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission

from portal.exceptions import PermissionDenied

from ..selectors_ack import terms_pending_exists

EXEMPT_PREFIXES = ("/api/v1/auth/",)


class TermsAccepted(BasePermission):
    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated) or getattr(view, "terms_exempt", False):
            return True
        if request.path_info.startswith(EXEMPT_PREFIXES):
            return True
        if terms_pending_exists(user):
            raise PermissionDenied(
                _(
                    "Примите пользовательское соглашение организации и дайте согласие на обработку персональных "
                    "данных: POST /api/v1/orgs/{org}/terms/ или страница /terms/."
                ),
                code="terms_not_accepted",
            )
        return True
