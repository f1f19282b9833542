from orgs.api.urls import ORG, Router

from . import api

router = Router()
router.include_root_view = False  # the organisations' router serves the API root
router.register(f"{ORG}/content-rules", api.ContentRuleViewSet, basename="content-rule")

urlpatterns = router.urls
