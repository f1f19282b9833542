from django.urls import path

from . import views

app_name = "stats"

urlpatterns = [
    path("orgs/<int:org_id>/stats/", views.stats_dashboard, name="dashboard"),
    path("orgs/<int:org_id>/stats/export/", views.stats_export_file, name="export"),
]
