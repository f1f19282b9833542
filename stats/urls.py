from django.urls import path

from .views import areas, organisation

app_name = "stats"

urlpatterns = [
    path("orgs/<int:org_id>/stats/", organisation.stats_dashboard, name="dashboard"),
    path("orgs/<int:org_id>/stats/export/", organisation.stats_export_file, name="export"),
    path("orgs/<int:org_id>/stats/reports/", organisation.monthly_reports, name="reports"),
    path("orgs/<int:org_id>/stats/reports/<int:report_id>/file/", organisation.monthly_report_file, name="report_file"),
    path("orgs/<int:org_id>/stats/targets/", areas.org_targets_edit, name="org_targets"),
    path("areas/<int:area_id>/stats/", areas.area_stats, name="area"),
    path("areas/<int:area_id>/stats/targets/", areas.area_targets_edit, name="area_targets"),
    path("areas/<int:area_id>/stats/reports/", areas.area_reports, name="area_reports"),
    path(
        "areas/<int:area_id>/stats/reports/<int:report_id>/file/",
        areas.area_report_file,
        name="area_report_file",
    ),
]
