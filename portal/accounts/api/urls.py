from django.urls import path

from portal.api.routers import Router

from . import auth, sessions

router = Router()
router.register("auth/sessions", sessions.SessionViewSet, basename="session")

urlpatterns = [
    path("auth/token/", auth.TokenView.as_view(), name="api-token"),
    path("auth/logout/", auth.TokenDeleteView.as_view(), name="api-logout"),
    path("auth/code/", auth.CodeRequestView.as_view(), name="api-code-request"),
    path("auth/code/verify/", auth.CodeVerifyView.as_view(), name="api-code-verify"),
    path("auth/unauthorised-access/", sessions.AccessReportView.as_view(), name="api-access-report"),
    *router.urls,
]
