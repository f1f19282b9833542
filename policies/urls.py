from django.urls import path

from . import views

app_name = "policies"

org = "orgs/<int:org_id>/"
urlpatterns = [
    path(org + "content-rules/", views.content_rules, name="content_rules"),
    path(org + "content-rules/<int:rule_id>/edit/", views.content_rule_edit, name="content_rule_edit"),
    path(org + "content-rules/<int:rule_id>/toggle/", views.content_rule_toggle, name="content_rule_toggle"),
    path(org + "content-rules/<int:rule_id>/delete/", views.content_rule_delete, name="content_rule_delete"),
]
