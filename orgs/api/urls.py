from portal.api.routers import Router

from . import movement, people, registrations, structure
from .scoped import ORG

router = Router(root_view=True)  # the API root (/api/v1/) lists the organisations' resources
router.register("registrations", registrations.RegistrationViewSet, basename="registration")
router.register("orgs", structure.OrganisationViewSet, basename="org")
router.register(f"{ORG}/academic-years", structure.AcademicYearViewSet, basename="academic-year")
router.register(f"{ORG}/groups", structure.GroupViewSet, basename="group")
router.register(f"{ORG}/members", people.MemberViewSet, basename="member")
router.register(f"{ORG}/administrators", people.AdministratorViewSet, basename="administrator")
router.register(f"{ORG}/curators", people.CuratorViewSet, basename="curator")
router.register(f"{ORG}/teaching-assignments", people.TeachingViewSet, basename="teaching")
router.register(f"{ORG}/parent-links", people.ParentLinkViewSet, basename="parent-link")
router.register(f"{ORG}/audit", people.AuditViewSet, basename="audit")
router.register(f"{ORG}/promotions", movement.PromotionViewSet, basename="promotion")
router.register(f"{ORG}/transfers", movement.TransferViewSet, basename="transfer")

urlpatterns = router.urls
