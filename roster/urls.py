from django.urls import path

from . import views, views_children

app_name = "roster"

base = "orgs/<int:org_id>/roster/"
urlpatterns = [
    path(base, views.roster_home, name="home"),
    path(base + "<int:import_id>/", views.roster_import, name="import"),
    path(base + "<int:import_id>/mapping/", views.roster_mapping, name="mapping"),
    path(base + "<int:import_id>/rows/<int:number>/", views.roster_row, name="row"),
    path(base + "<int:import_id>/classes/", views.roster_classes, name="classes"),
    path(base + "<int:import_id>/confirm/", views.roster_confirm, name="confirm"),
    path(base + "<int:import_id>/progress/", views.roster_progress, name="progress"),
    path(base + "<int:import_id>/errors.xlsx", views.roster_errors, name="errors"),
    path(base + "<int:import_id>/kits/", views.roster_kits, name="kits"),
    path(base + "<int:import_id>/kits/<int:job_id>/progress/", views.roster_kits_progress, name="kits_progress"),
    path(base + "<int:import_id>/kits/<int:job_id>/kits.pdf", views.roster_kits_file, name="kits_file"),
    path(base + "<int:import_id>/mail/", views.roster_mail, name="mail"),
    path("orgs/<int:org_id>/children/<int:child_id>/sign-in/", views_children.child_access, name="child_access"),
    path("child-sign-in/<str:token>/", views_children.child_sign_in, name="child_sign_in"),
]
