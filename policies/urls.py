from django.urls import path

from . import views, views_ack, views_content

app_name = "policies"

org = "orgs/<int:org_id>/"
version = org + "documents/versions/<int:version_id>/"
urlpatterns = [
    path("documents/acknowledge/", views_ack.acknowledge_list, name="acknowledge"),
    path("documents/acknowledge/<int:campaign_id>/", views_ack.acknowledge, name="acknowledge_one"),
    path("terms/", views_ack.terms, name="terms"),
    path(org + "documents/<slug:kind>/audience/", views_ack.audience, name="audience"),
    path(version + "acknowledgements/", views_ack.progress, name="progress"),
    path(version + "acknowledgements/paper/", views_ack.paper, name="paper"),
    path(version + "acknowledgements/sheet.pdf", views_ack.sheet, {"extension": "pdf"}, name="sheet_pdf"),
    path(version + "acknowledgements/sheet.xlsx", views_ack.sheet, {"extension": "xlsx"}, name="sheet_xlsx"),
    path(org + "documents/", views.document_list, name="documents"),
    path(org + "documents/new/<slug:kind>/", views.version_new, name="version_new"),
    path(version, views.version_detail, name="version"),
    path(version + "edit/", views.version_edit, name="version_edit"),
    path(version + "clauses/<slug:key>/", views.clause_save, name="clause_save"),
    path(version + "refresh/", views.version_refresh_view, name="version_refresh"),
    path(version + "agreement/", views.version_agreement, name="version_agreement"),
    path(version + "return/", views.version_return, name="version_return"),
    path(version + "approve/", views.version_approve_view, name="version_approve"),
    path(version + "files/pdf/", views.version_file_view, {"fmt": "pdf"}, name="version_pdf"),
    path(version + "files/docx/", views.version_file_view, {"fmt": "docx"}, name="version_docx"),
    path(org + "responsible/", views.responsible_list, name="responsible"),
    path(org + "responsible/<int:responsible_id>/end/", views.responsible_end_view, name="responsible_end"),
    path(org + "content-rules/", views_content.content_rules, name="content_rules"),
    path(org + "content-rules/<int:rule_id>/edit/", views_content.content_rule_edit, name="content_rule_edit"),
    path(org + "content-rules/<int:rule_id>/toggle/", views_content.content_rule_toggle, name="content_rule_toggle"),
    path(org + "content-rules/<int:rule_id>/delete/", views_content.content_rule_delete, name="content_rule_delete"),
]
