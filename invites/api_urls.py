"""/api/v1/ routes of invites and join requests; numeric ids through the organisations' Router."""

from django.urls import path

from orgs.api.urls import ORG, Router

from .api import views

router = Router()
router.register(f"{ORG}/invites", views.InviteViewSet, basename="invite")
router.register(f"{ORG}/join-requests", views.JoinRequestViewSet, basename="join-request")

urlpatterns = [
    path("orgs/search/", views.OrganisationSearchView.as_view(), name="org-search"),
    path("invites/<str:token>/", views.InvitePreviewView.as_view(), name="invite-preview"),
    path("invites/<str:token>/redeem/", views.InviteRedeemView.as_view(), name="invite-redeem"),
    *router.urls,
]
