from rest_framework.routers import SimpleRouter

from orgs.api.urls import ORG

from . import api


class Router(SimpleRouter):
    include_format_suffixes = False

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        return rf"(?P<{lookup_prefix}pk>\d{{1,18}})"


router = Router()
router.register(f"{ORG}/roster/imports", api.RosterImportViewSet, basename="roster-import")

urlpatterns = router.urls
