from django.urls import path, re_path

from orgs.api.urls import ORG

from . import api, api_areas, api_reports

AREA = r"areas/(?P<id>\d{1,18})"

urlpatterns = [
    re_path(rf"^{ORG}/stats/$", api.StatsView.as_view(), name="org-stats"),
    re_path(rf"^{ORG}/stats/classes/$", api.StatsClassesView.as_view(), name="org-stats-classes"),
    re_path(rf"^{ORG}/stats/export/$", api.StatsExportView.as_view(), name="org-stats-export"),
    re_path(rf"^{ORG}/stats/reports/$", api_reports.MonthlyReportsView.as_view(), name="org-stats-reports"),
    re_path(
        rf"^{ORG}/stats/reports/(?P<pk>\d{{1,18}})/file/$",
        api_reports.MonthlyReportFileView.as_view(),
        name="org-stats-report-file",
    ),
    re_path(rf"^{ORG}/stats/targets/$", api_areas.OrgTargetsView.as_view(), name="org-stats-targets"),
    path("areas/", api_areas.AreaListView.as_view(), name="areas"),
    re_path(rf"^{AREA}/stats/$", api_areas.AreaStatsView.as_view(), name="area-stats"),
    re_path(rf"^{AREA}/stats/targets/$", api_areas.AreaTargetsView.as_view(), name="area-stats-targets"),
    re_path(rf"^{AREA}/stats/reports/$", api_reports.AreaReportsView.as_view(), name="area-stats-reports"),
    re_path(
        rf"^{AREA}/stats/reports/(?P<report_id>\d{{1,18}})/file/$",
        api_reports.AreaReportFileView.as_view(),
        name="area-stats-report-file",
    ),
]
