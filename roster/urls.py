from django.urls import path

from .views import children, imports

app_name = "roster"

base = "orgs/<int:org_id>/roster/"
urlpatterns = [
    path(base, imports.roster_home, name="home"),
    path(base + "<int:import_id>/", imports.roster_import, name="import"),
    path(base + "<int:import_id>/mapping/", imports.roster_mapping, name="mapping"),
    path(base + "<int:import_id>/rows/<int:number>/", imports.roster_row, name="row"),
    path(base + "<int:import_id>/classes/", imports.roster_classes, name="classes"),
    path(base + "<int:import_id>/confirm/", imports.roster_confirm, name="confirm"),
    path(base + "<int:import_id>/progress/", imports.roster_progress, name="progress"),
    path(base + "<int:import_id>/errors.xlsx", imports.roster_errors, name="errors"),
    path(base + "<int:import_id>/kits/", imports.roster_kits, name="kits"),
    path(base + "<int:import_id>/kits/<int:job_id>/progress/", imports.roster_kits_progress, name="kits_progress"),
    path(base + "<int:import_id>/kits/<int:job_id>/kits.pdf", imports.roster_kits_file, name="kits_file"),
    path(base + "<int:import_id>/mail/", imports.roster_mail, name="mail"),
    path("orgs/<int:org_id>/children/<int:child_id>/sign-in/", children.child_access, name="child_access"),
    path("child-sign-in/<str:token>/", children.child_sign_in, name="child_sign_in"),
]
