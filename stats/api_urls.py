from django.urls import re_path

from orgs.api.urls import ORG

from . import api

urlpatterns = [
    re_path(rf"^{ORG}/stats/$", api.StatsView.as_view(), name="org-stats"),
    re_path(rf"^{ORG}/stats/classes/$", api.StatsClassesView.as_view(), name="org-stats-classes"),
    re_path(rf"^{ORG}/stats/export/$", api.StatsExportView.as_view(), name="org-stats-export"),
]
