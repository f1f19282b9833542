"""/api/v1/: the URL modules of every app, each `<app>/api/urls.py` (for accounts, `portal/accounts/api/urls.py`)."""

from django.urls import include, path

urlpatterns = [
    path("", include("portal.accounts.api.urls")),
    path("", include("invites.api.urls")),
    path("", include("orgs.api.urls")),
    path("", include("policies.api.urls")),
    path("", include("chats.api.urls")),
    path("", include("stats.api.urls")),
    path("", include("safety.api.urls")),
    path("", include("roster.api.urls")),
]
