from django.urls import path, re_path

from orgs.api.scoped import ORG
from portal.api.routers import ID

from . import areas, organisation, reports

AREA = rf"areas/(?P<id>{ID})"

urlpatterns = [
    re_path(rf"^{ORG}/stats/$", organisation.StatsView.as_view(), name="org-stats"),
    re_path(rf"^{ORG}/stats/classes/$", organisation.StatsClassesView.as_view(), name="org-stats-classes"),
    re_path(rf"^{ORG}/stats/export/$", organisation.StatsExportView.as_view(), name="org-stats-export"),
    re_path(rf"^{ORG}/stats/reports/$", reports.MonthlyReportsView.as_view(), name="org-stats-reports"),
    re_path(
        rf"^{ORG}/stats/reports/(?P<pk>{ID})/file/$",
        reports.MonthlyReportFileView.as_view(),
        name="org-stats-report-file",
    ),
    re_path(rf"^{ORG}/stats/targets/$", areas.OrgTargetsView.as_view(), name="org-stats-targets"),
    path("areas/", areas.AreaListView.as_view(), name="area-list"),
    re_path(rf"^{AREA}/stats/$", areas.AreaStatsView.as_view(), name="area-stats"),
    re_path(rf"^{AREA}/stats/targets/$", areas.AreaTargetsView.as_view(), name="area-stats-targets"),
    re_path(rf"^{AREA}/stats/reports/$", reports.AreaReportsView.as_view(), name="area-stats-reports"),
    re_path(
        rf"^{AREA}/stats/reports/(?P<report_id>{ID})/file/$",
        reports.AreaReportFileView.as_view(),
        name="area-stats-report-file",
    ),
]
