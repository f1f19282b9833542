"""/api/v1/ routes of invites and join requests."""

from django.urls import path, re_path

from orgs.api.scoped import ORG
from portal.api.routers import ID, Router

from . import invites, join_requests, mailings, public, settings

router = Router()
router.register(f"{ORG}/invites/mailings", mailings.InviteMailingViewSet, basename="invite-mailing")
router.register(f"{ORG}/invites", invites.InviteViewSet, basename="invite")
router.register(f"{ORG}/join-requests", join_requests.JoinRequestViewSet, basename="join-request")

org_settings = settings.OrganisationSettingsViewSet
urlpatterns = [
    re_path(
        rf"^{ORG}/settings/$",
        org_settings.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="org-settings",
    ),
    re_path(rf"^{ORG}/settings/channels/$", org_settings.as_view({"post": "create_channel"}), name="org-channels"),
    re_path(
        rf"^{ORG}/settings/channels/(?P<pk>{ID})/$",
        org_settings.as_view({"patch": "rename_channel"}),
        name="org-channel",
    ),
    path("orgs/search/", public.OrganisationSearchView.as_view(), name="org-search"),
    path("join-requests/mine/", join_requests.OwnJoinRequestsView.as_view(), name="own-join-requests"),
    path(
        "join-requests/mine/<int:id>/withdraw/",
        join_requests.OwnJoinRequestWithdrawView.as_view(),
        name="own-join-request-withdraw",
    ),
    path("invites/<str:token>/", public.InvitePreviewView.as_view(), name="invite-preview"),
    path("invites/<str:token>/redeem/", public.InviteRedeemView.as_view(), name="invite-redeem"),
    *router.urls,
]
