from django.urls import path

from .views import acknowledgements, content, documents

app_name = "policies"

org = "orgs/<int:org_id>/"
version = org + "documents/versions/<int:version_id>/"
urlpatterns = [
    path("documents/acknowledge/", acknowledgements.acknowledge_list, name="acknowledge"),
    path("documents/acknowledge/<int:campaign_id>/", acknowledgements.acknowledge, name="acknowledge_one"),
    path("terms/", acknowledgements.terms, name="terms"),
    path(org + "documents/<slug:kind>/audience/", acknowledgements.audience, name="audience"),
    path(version + "acknowledgements/", acknowledgements.progress, name="progress"),
    path(version + "acknowledgements/paper/", acknowledgements.paper, name="paper"),
    path(version + "acknowledgements/sheet.pdf", acknowledgements.sheet, {"extension": "pdf"}, name="sheet_pdf"),
    path(version + "acknowledgements/sheet.xlsx", acknowledgements.sheet, {"extension": "xlsx"}, name="sheet_xlsx"),
    path(org + "documents/", documents.document_list, name="documents"),
    path(org + "documents/new/<slug:kind>/", documents.version_new, name="version_new"),
    path(version, documents.version_detail, name="version"),
    path(version + "edit/", documents.version_edit, name="version_edit"),
    path(version + "clauses/<slug:key>/", documents.clause_save, name="clause_save"),
    path(version + "refresh/", documents.version_refresh_view, name="version_refresh"),
    path(version + "agreement/", documents.version_agreement, name="version_agreement"),
    path(version + "return/", documents.version_return, name="version_return"),
    path(version + "approve/", documents.version_approve_view, name="version_approve"),
    path(version + "files/pdf/", documents.version_file_view, {"fmt": "pdf"}, name="version_pdf"),
    path(version + "files/docx/", documents.version_file_view, {"fmt": "docx"}, name="version_docx"),
    path(org + "responsible/", documents.responsible_list, name="responsible"),
    path(org + "responsible/<int:responsible_id>/end/", documents.responsible_end_view, name="responsible_end"),
    path(org + "content-rules/", content.content_rules, name="content_rules"),
    path(org + "content-rules/<int:rule_id>/edit/", content.content_rule_edit, name="content_rule_edit"),
    path(org + "content-rules/<int:rule_id>/toggle/", content.content_rule_toggle, name="content_rule_toggle"),
    path(org + "content-rules/<int:rule_id>/delete/", content.content_rule_delete, name="content_rule_delete"),
]
