from django.urls import path

from . import views

app_name = "stats"

urlpatterns = [
    path("orgs/<int:org_id>/stats/", views.stats_dashboard, name="dashboard"),
    path("orgs/<int:org_id>/stats/export/", views.stats_export_file, name="export"),
    path("orgs/<int:org_id>/stats/reports/", views.monthly_reports, name="reports"),
    path("orgs/<int:org_id>/stats/reports/<int:report_id>/file/", views.monthly_report_file, name="report-file"),
]
