"""Reads of the policies app shared by the pages, the API and the chats, filtered to what the user may see."""

from django.db.models import F, Prefetch, QuerySet
from django.utils.translation import gettext as _

from orgs.models import Organisation
from portal.exceptions import NotFound

from .clauses import FORBIDDEN_SERVICES_CLAUSE
from .clauses.base import iter_clauses
from .models import Agreement, Document, DocumentVersion, ResponsiblePerson, VersionFile
from .permissions import can_see_drafts


def versions_for_user(user, organisation: Organisation) -> QuerySet[DocumentVersion]:
    """The organisation's versions the user may read: all for administrators and the director, else approved ones."""
    qs = DocumentVersion.objects.filter(document__organisation=organisation).select_related(
        "document", "author", "approved_by"
    )
    if not can_see_drafts(user, organisation):
        qs = qs.filter(status__in=DocumentVersion.FROZEN)
    return qs.prefetch_related(Prefetch("agreements", queryset=Agreement.objects.order_by("protocol_date", "id")))


def documents_for_user(user, organisation: Organisation) -> list[Document]:
    """The organisation's documents of every kind (a kind with no document yet is an unsaved one), each with the
    versions the user may read as `visible_versions`, newest first, and the open one as `open_version`."""
    visible = versions_for_user(user, organisation).order_by("-major", "-minor")
    found = {
        d.kind: d
        for d in Document.objects.filter(organisation=organisation).prefetch_related(
            Prefetch("versions", queryset=visible, to_attr="visible_versions")
        )
    }
    documents = []
    for kind in Document.Kind.values:
        document = found.get(kind) or Document(organisation=organisation, kind=kind)
        if document.pk is None:
            document.visible_versions = []
        # The draft or the version on agreement, if any: while it is open no other version can be started.
        document.open_version = next((v for v in document.visible_versions if v.status in DocumentVersion.OPEN), None)
        documents.append(document)
    return documents


def version_get(user, organisation: Organisation, pk) -> DocumentVersion:
    """A version of this organisation the user may read; NotFound otherwise."""
    try:
        return versions_for_user(user, organisation).get(pk=int(pk))
    except (DocumentVersion.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Версия документа не найдена.")) from None


def version_clauses(version: DocumentVersion) -> list[dict]:
    """The sections of the version, each clause marked `differs` when its text is not the template's."""
    template = {c["key"]: c["text"] for c in iter_clauses(version.template_content)}
    sections = []
    for section in version.content.get("sections", []):
        clauses = [
            {**c, "template_text": template.get(c["key"], ""), "differs": template.get(c["key"]) != c["text"]}
            for c in section["clauses"]
        ]
        sections.append({**section, "clauses": clauses})
    return sections


def version_stored_files(version: DocumentVersion) -> dict[str, VersionFile]:
    """The stored printed forms of a version by format ("pdf", "docx"): none for a draft or before the first
    download of an approved version."""
    return {f.format: f for f in VersionFile.objects.filter(version=version)}


def versions_in_force(organisation: Organisation) -> list[DocumentVersion]:
    """The organisation's documents in force, one version of each kind at most, in the order of the kinds."""
    order = {kind: n for n, kind in enumerate(Document.Kind.values)}
    versions = DocumentVersion.objects.filter(
        document__organisation=organisation, status=DocumentVersion.Status.IN_FORCE
    ).select_related("document")
    return sorted(versions, key=lambda v: order.get(v.document.kind, len(order)))


def version_in_force(organisation: Organisation, kind: str) -> DocumentVersion | None:
    return (
        DocumentVersion.objects.filter(
            document__organisation=organisation, document__kind=kind, status=DocumentVersion.Status.IN_FORCE
        )
        .select_related("document", "approved_by")
        .first()
    )


def approval_text(version: DocumentVersion) -> str:
    """How the version was approved, as a document cites it: «утв. приказом от 01.09.2026 № 12» or «утв. директором
    01.09.2026»."""
    if version.approval_method == DocumentVersion.ApprovalMethod.ORDER:
        return f"утв. приказом от {version.order_date:%d.%m.%Y} № {version.order_number}"
    return f"утв. директором {version.approved_at:%d.%m.%Y}"


def forbidden_services_reference(organisation: Organisation) -> str | None:
    """The clause of the «Порядок» in force that forbids the services, as the chats cite it in a refusal
    («п. 4.3 Порядка использования …, утв. приказом от … № …»); None while no «Порядок» is in force."""
    return procedure_clause_reference(organisation, FORBIDDEN_SERVICES_CLAUSE)


def procedure_clause_reference(organisation: Organisation, key: str) -> str | None:
    """A clause of the «Порядок» in force by its key, cited with the version's approval; None while no «Порядок»
    is in force (or its version has no such clause)."""
    version = version_in_force(organisation, Document.Kind.PROCEDURE)
    if version is None:
        return None
    clause = next((c for c in iter_clauses(version.content) if c["key"] == key), None)
    if clause is None:
        return None
    subject = version.content.get("subject", "")
    return f"п. {clause['number']} Порядка {subject}, {approval_text(version)}"


def responsible_for_organisation(organisation: Organisation, *, current_only: bool = False) -> QuerySet:
    """The organisation's responsible persons (every member may see them), the current ones first."""
    qs = ResponsiblePerson.objects.filter(organisation=organisation).select_related("person")
    if current_only:
        qs = qs.filter(valid_to__isnull=True)
    return qs.order_by(F("valid_to").desc(nulls_first=True), "duty", "-valid_from", "id")
