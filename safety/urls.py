from django.urls import path

from .views import incidents

app_name = "safety"

org = "orgs/<int:org_id>/"
urlpatterns = [
    path(org + "incidents/", incidents.incidents, name="incidents"),
    path(org + "incidents/<int:incident_id>/review/", incidents.incident_review, name="incident_review"),
    path(org + "people/<int:user_id>/sessions/end/", incidents.member_sessions_end, name="member_sessions_end"),
    path(org + "help/", incidents.help_page, name="help"),
]
