from django.urls import path

from . import views

app_name = "stats"

urlpatterns = [
    path("orgs/<int:org_id>/stats/", views.stats_dashboard, name="dashboard"),
]
