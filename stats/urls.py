from django.urls import path

from . import area_views, views

app_name = "stats"

urlpatterns = [
    path("orgs/<int:org_id>/stats/", views.stats_dashboard, name="dashboard"),
    path("orgs/<int:org_id>/stats/export/", views.stats_export_file, name="export"),
    path("orgs/<int:org_id>/stats/reports/", views.monthly_reports, name="reports"),
    path("orgs/<int:org_id>/stats/reports/<int:report_id>/file/", views.monthly_report_file, name="report-file"),
    path("orgs/<int:org_id>/stats/targets/", area_views.org_targets_edit, name="org_targets"),
    path("areas/<int:area_id>/stats/", area_views.area_stats, name="area"),
    path("areas/<int:area_id>/stats/targets/", area_views.area_targets_edit, name="area_targets"),
    path("areas/<int:area_id>/stats/reports/", area_views.area_reports, name="area_reports"),
    path(
        "areas/<int:area_id>/stats/reports/<int:report_id>/file/",
        area_views.area_report_file,
        name="area_report_file",
    ),
]
