from orgs.api.scoped import ORG
from portal.api.routers import Router

from . import imports

router = Router()
router.register(f"{ORG}/roster/imports", imports.RosterImportViewSet, basename="roster-import")

urlpatterns = router.urls
