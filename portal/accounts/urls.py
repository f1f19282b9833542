from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_password, name="login"),
    path("login/code/", views.login_code_request, name="login_code"),
    path("login/code/verify/", views.login_code_verify, name="login_code_verify"),
    path("logout/", views.logout_view, name="logout"),
    path("password/", views.password_change, name="password_change"),
]
