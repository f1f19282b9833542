from orgs.api.urls import ORG, Router

from . import api, api_ack, api_content

router = Router()
router.include_root_view = False  # the organisations' router serves the API root
router.register(f"{ORG}/policies/versions", api.VersionViewSet, basename="policy-version")
router.register(f"{ORG}/policies/responsible", api.ResponsibleViewSet, basename="policy-responsible")
router.register(f"{ORG}/policies", api.DocumentViewSet, basename="policy-document")
router.register(f"{ORG}/acknowledgements", api_ack.AcknowledgementViewSet, basename="acknowledgement")
router.register(f"{ORG}/terms", api_ack.TermsViewSet, basename="terms")
router.register(f"{ORG}/content-rules", api_content.ContentRuleViewSet, basename="content-rule")

urlpatterns = router.urls
