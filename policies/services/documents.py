"""Drafts of the regulations: a new version from the template and the organisation data, clause edits."""

from django.db import transaction
from django.utils.translation import gettext

from orgs.models import Organisation
from orgs.services.audit import audit_record
from portal.exceptions import Conflict, RuleViolation

from ..clauses import TEMPLATES, render
from ..clauses.base import iter_clauses
from ..data import organisation_snapshot
from ..models import Document, DocumentVersion
from ..permissions import require_manage_documents

MAX_CLAUSE_LENGTH = 5000


def _edited(content: dict, template_content: dict) -> dict[str, str]:
    """The clauses (by key) whose text differs from the template's."""
    template = {c["key"]: c["text"] for c in iter_clauses(template_content)}
    return {c["key"]: c["text"] for c in iter_clauses(content) if template.get(c["key"]) != c["text"]}


def _build(document: Document, edits: dict[str, str]) -> tuple[dict, dict, dict]:
    """(content, template content, data snapshot): the template filled from today's data, with the edits kept."""
    data = organisation_snapshot(document.organisation)
    template_content = render(TEMPLATES[document.kind], data)
    content = render(TEMPLATES[document.kind], data)
    for clause in iter_clauses(content):
        if clause["key"] in edits:
            clause["text"] = edits[clause["key"]]
    return content, template_content, data


def _require_draft(version: DocumentVersion) -> None:
    if version.status != DocumentVersion.Status.DRAFT:
        raise Conflict(
            gettext("Изменять можно только черновик. Утверждённая версия не меняется: создайте новую версию."),
            code="version_frozen",
        )


def document_get_or_create(*, organisation: Organisation, kind: str) -> Document:
    """The organisation's document of this kind, created on first use."""
    if kind not in Document.Kind.values:
        raise RuleViolation(
            gettext("Неизвестный вид документа."), code="invalid_kind", fields={"kind": [gettext("Неизвестный вид.")]}
        )
    document, _ = Document.objects.get_or_create(organisation=organisation, kind=kind)
    return document


def version_create(*, organisation: Organisation, kind: str, actor, major: bool = True) -> DocumentVersion:
    """A new draft of the document: 1.0 first, then x+1.0 (major) or x.y+1 (minor) after the latest version.

    The clauses the administrator edited in the latest version stay edited; the rest follow the template and
    today's organisation data."""
    require_manage_documents(actor, organisation)
    document = document_get_or_create(organisation=organisation, kind=kind)
    with transaction.atomic():
        # Lock the document so that two administrators cannot both open a draft or take the same number.
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.versions.filter(status__in=DocumentVersion.OPEN).exists():
            raise Conflict(
                gettext("У документа уже есть черновик или версия на согласовании: продолжите работу с ней."),
                code="version_open",
            )
        latest = document.versions.order_by("-major", "-minor").first()
        if latest is None:
            number = (1, 0)
        elif major:
            number = (latest.major + 1, 0)
        else:
            number = (latest.major, latest.minor + 1)
        edits = _edited(latest.content, latest.template_content) if latest else {}
        content, template_content, data = _build(document, edits)
        version = DocumentVersion.objects.create(
            document=document,
            major=number[0],
            minor=number[1],
            content=content,
            template_content=template_content,
            data=data,
            author=actor,
        )
        audit_record(
            organisation=organisation,
            actor=actor,
            action="policy.version_created",
            obj=version,
            details={"number": version.number},
        )
    return version


def version_refresh(*, version: DocumentVersion, actor) -> DocumentVersion:
    """Take the organisation data anew into a draft (new responsible persons, a new name); edited clauses stay."""
    organisation = version.document.organisation
    require_manage_documents(actor, organisation)
    with transaction.atomic():
        version = DocumentVersion.objects.select_for_update().select_related("document").get(pk=version.pk)
        _require_draft(version)
        edits = _edited(version.content, version.template_content)
        version.content, version.template_content, version.data = _build(version.document, edits)
        version.save(update_fields=["content", "template_content", "data"])
        version.editors.add(actor)
        audit_record(organisation=organisation, actor=actor, action="policy.version_refreshed", obj=version)
    return version


def clause_edit(*, version: DocumentVersion, actor, key: str, text: str | None) -> DocumentVersion:
    """Set the text of one clause of a draft; `text=None` puts the template's text back."""
    organisation = version.document.organisation
    require_manage_documents(actor, organisation)
    if text is not None:
        text = " ".join(text.split())
        if not text:
            raise RuleViolation(
                gettext("Текст пункта не может быть пустым."), code="empty", fields={"text": [gettext("Пустой текст.")]}
            )
        if len(text) > MAX_CLAUSE_LENGTH:
            raise RuleViolation(
                gettext("Пункт длиннее %(limit)s символов.") % {"limit": MAX_CLAUSE_LENGTH},
                code="too_long",
                fields={"text": [gettext("Слишком длинно.")]},
            )
    with transaction.atomic():
        version = DocumentVersion.objects.select_for_update().select_related("document").get(pk=version.pk)
        _require_draft(version)
        template = {c["key"]: c["text"] for c in iter_clauses(version.template_content)}
        clause = next((c for c in iter_clauses(version.content) if c["key"] == key), None)
        if clause is None:
            raise RuleViolation(
                gettext("Такого пункта в документе нет."), code="no_clause", fields={"key": [gettext("Нет пункта.")]}
            )
        clause["text"] = template.get(key, clause["text"]) if text is None else text
        version.save(update_fields=["content"])
        version.editors.add(actor)
        audit_record(
            organisation=organisation,
            actor=actor,
            action="policy.clause_reset" if text is None else "policy.clause_edited",
            obj=version,
            details={"clause": clause["number"]},
        )
    return version
