from rest_framework.routers import DefaultRouter

from . import views

ORG = r"orgs/(?P<org_pk>\d{1,18})"


class Router(DefaultRouter):
    """Ids in paths are numbers of at most 18 digits; anything else is simply not found."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        return rf"(?P<{lookup_prefix}{getattr(viewset, 'lookup_url_kwarg', None) or 'pk'}>\d{{1,18}})"


router = Router()
router.register("registrations", views.RegistrationViewSet, basename="registration")
router.register("orgs", views.OrganisationViewSet, basename="org")
router.register(f"{ORG}/academic-years", views.AcademicYearViewSet, basename="academic-year")
router.register(f"{ORG}/groups", views.GroupViewSet, basename="group")
router.register(f"{ORG}/members", views.MemberViewSet, basename="member")
router.register(f"{ORG}/administrators", views.AdministratorViewSet, basename="administrator")
router.register(f"{ORG}/curators", views.CuratorViewSet, basename="curator")
router.register(f"{ORG}/teaching-assignments", views.TeachingViewSet, basename="teaching")
router.register(f"{ORG}/parent-links", views.ParentLinkViewSet, basename="parent-link")
router.register(f"{ORG}/audit", views.AuditViewSet, basename="audit")

urlpatterns = router.urls
