from django.urls import re_path

from orgs.api.urls import ORG

from . import api, api_reports

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
]
