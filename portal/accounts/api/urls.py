from django.urls import path

from portal.api.routers import Router

from . import auth, sessions

router = Router()
router.register("auth/sessions", sessions.SessionViewSet, basename="session")

urlpatterns = [
    path("auth/token/", auth.TokenView.as_view(), name="auth-token"),
    path("auth/logout/", auth.TokenDeleteView.as_view(), name="auth-logout"),
    path("auth/code/", auth.CodeRequestView.as_view(), name="auth-code-request"),
    path("auth/code/verify/", auth.CodeVerifyView.as_view(), name="auth-code-verify"),
    path("auth/unauthorised-access/", sessions.AccessReportView.as_view(), name="auth-access-report"),
    *router.urls,
]
