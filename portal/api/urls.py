from django.urls import include, path
from rest_framework.routers import SimpleRouter

from portal.accounts import api as accounts_api
from portal.accounts import api_sessions


class Router(SimpleRouter):
    """Ids are numbers of at most 18 digits (as in orgs.api.urls); no format suffixes, no root view."""

    include_format_suffixes = False

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        return rf"(?P<{lookup_prefix}pk>\d{{1,18}})"


sessions_router = Router()
sessions_router.register("auth/sessions", api_sessions.SessionViewSet, basename="session")

urlpatterns = [
    path("auth/token/", accounts_api.TokenView.as_view(), name="api-token"),
    path("auth/logout/", accounts_api.TokenDeleteView.as_view(), name="api-logout"),
    path("auth/code/", accounts_api.CodeRequestView.as_view(), name="api-code-request"),
    path("auth/code/verify/", accounts_api.CodeVerifyView.as_view(), name="api-code-verify"),
    path("auth/unauthorised-access/", api_sessions.AccessReportView.as_view(), name="api-access-report"),
    *sessions_router.urls,
    path("", include("invites.api_urls")),
    path("", include("orgs.api.urls")),
    path("", include("policies.api_urls")),
    path("", include("chats.api_urls")),
    path("", include("stats.api_urls")),
    path("", include("safety.api_urls")),
    path("", include("roster.api_urls")),
]
