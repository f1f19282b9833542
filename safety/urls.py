from django.urls import path

from . import views

app_name = "safety"

org = "orgs/<int:org_id>/"
urlpatterns = [
    path(org + "incidents/", views.incidents, name="incidents"),
    path(org + "incidents/<int:incident_id>/review/", views.incident_review, name="incident_review"),
    path(org + "people/<int:user_id>/sessions/end/", views.member_sessions_end, name="member_sessions_end"),
    path(org + "help/", views.help_page, name="help"),
]
