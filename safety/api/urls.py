from django.urls import re_path

from orgs.api.scoped import ORG
from portal.api.routers import ID, Router

from . import incidents

router = Router()
router.register(f"{ORG}/incidents", incidents.IncidentViewSet, basename="incident")

urlpatterns = [
    *router.urls,
    re_path(
        rf"^{ORG}/people/(?P<id>{ID})/end-sessions/$",
        incidents.MemberSessionsEndView.as_view(),
        name="member-sessions-end",
    ),
]
