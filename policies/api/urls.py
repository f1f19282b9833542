from orgs.api.scoped import ORG
from portal.api.routers import Router

from . import acknowledgements, content, documents

router = Router()
router.register(f"{ORG}/policies/versions", documents.VersionViewSet, basename="policy-version")
router.register(f"{ORG}/policies/responsible", documents.ResponsibleViewSet, basename="policy-responsible")
router.register(f"{ORG}/policies", documents.DocumentViewSet, basename="policy-document")
router.register(f"{ORG}/acknowledgements", acknowledgements.AcknowledgementViewSet, basename="acknowledgement")
router.register(f"{ORG}/terms", acknowledgements.TermsViewSet, basename="terms")
router.register(f"{ORG}/content-rules", content.ContentRuleViewSet, basename="content-rule")

urlpatterns = router.urls
