from django.urls import path

from . import views, views_sessions

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_password, name="login"),
    path("login/code/", views.login_code_request, name="login_code"),
    path("login/code/verify/", views.login_code_verify, name="login_code_verify"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("sessions/", views_sessions.session_list, name="sessions"),
    path("sessions/<int:session_id>/end/", views_sessions.session_end, name="session_end"),
    path("sessions/end-others/", views_sessions.session_end_others, name="session_end_others"),
    path("unauthorised-access/", views_sessions.access_report, name="access_report"),
]
