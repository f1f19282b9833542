from django.urls import include, path

from portal.accounts import api as accounts_api

urlpatterns = [
    path("auth/token/", accounts_api.TokenView.as_view(), name="api-token"),
    path("auth/logout/", accounts_api.TokenDeleteView.as_view(), name="api-logout"),
    path("auth/code/", accounts_api.CodeRequestView.as_view(), name="api-code-request"),
    path("auth/code/verify/", accounts_api.CodeVerifyView.as_view(), name="api-code-verify"),
    path("", include("invites.api_urls")),
    path("", include("orgs.api.urls")),
    path("", include("policies.api_urls")),
    path("", include("chats.api_urls")),
    path("", include("stats.api_urls")),
]
