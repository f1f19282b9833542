from rest_framework.routers import DefaultRouter

from . import movement, people, registrations, structure

ORG = r"orgs/(?P<org_pk>\d{1,18})"


class Router(DefaultRouter):
    """Ids in paths are numbers of at most 18 digits; anything else is simply not found.

    No `.json`-style suffix routes: the views take no `format` argument (a suffix gave a 500), and the format is
    chosen by Accept or `?format=`.
    """

    include_format_suffixes = False

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        return rf"(?P<{lookup_prefix}{getattr(viewset, 'lookup_url_kwarg', None) or 'pk'}>\d{{1,18}})"


router = Router()
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
