from django.urls import path

from .views import auth, sessions

app_name = "accounts"
urlpatterns = [
    path("login/", auth.login_password, name="login"),
    path("login/code/", auth.login_code_request, name="login_code"),
    path("login/code/verify/", auth.login_code_verify, name="login_code_verify"),
    path("logout/", auth.logout_view, name="logout"),
    path("password/", auth.password_change, name="password_change"),
    path("sessions/", sessions.session_list, name="sessions"),
    path("sessions/<int:session_id>/end/", sessions.session_end, name="session_end"),
    path("sessions/end-others/", sessions.session_end_others, name="session_end_others"),
    path("unauthorised-access/", sessions.access_report, name="access_report"),
]
