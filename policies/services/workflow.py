"""A version's way: draft → on agreement → approved by the director → in force; the previous one loses force."""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.services.audit import audit_record
from portal.exceptions import Conflict, PermissionDenied, RuleViolation

from ..models import Agreement, Document, DocumentVersion
from ..permissions import require_director, require_manage_documents
from .acknowledgements import campaign_open

Status = DocumentVersion.Status


def _check_protocol(body: str, protocol_number: str, protocol_date) -> tuple[str, str]:
    body, protocol_number = (body or "").strip(), (protocol_number or "").strip()
    errors = {}
    if not body:
        errors["body"] = [_("Укажите орган, согласовавший документ.")]
    if not protocol_number:
        errors["protocol_number"] = [_("Укажите номер протокола.")]
    if not isinstance(protocol_date, datetime.date):
        errors["protocol_date"] = [_("Укажите дату протокола.")]
    elif protocol_date > timezone.localdate():
        errors["protocol_date"] = [_("Дата протокола не может быть в будущем.")]
    if errors:
        raise RuleViolation(_("Проверьте сведения о согласовании."), code="invalid", fields=errors)
    return body, protocol_number


def version_agreement_add(
    *, version: DocumentVersion, actor, body: str, protocol_number: str, protocol_date: datetime.date
) -> Agreement:
    """«СОГЛАСОВАНО … Протокол № … от …»: a draft goes on agreement with its first record; more bodies may follow."""
    organisation = version.document.organisation
    require_manage_documents(actor, organisation)
    body, protocol_number = _check_protocol(body, protocol_number, protocol_date)
    with transaction.atomic():
        version = DocumentVersion.objects.select_for_update().get(pk=version.pk)
        if version.status not in DocumentVersion.OPEN:
            raise Conflict(_("Версия уже утверждена: согласования к ней не добавляются."), code="version_frozen")
        agreement = Agreement.objects.create(
            version=version,
            body=body,
            protocol_number=protocol_number,
            protocol_date=protocol_date,
            recorded_by=actor,
        )
        if version.status == Status.DRAFT:
            version.status = Status.AGREEMENT
            version.sent_to_agreement_at = timezone.now()
            version.save(update_fields=["status", "sent_to_agreement_at"])
        audit_record(
            organisation=organisation,
            actor=actor,
            action="policy.agreed",
            obj=version,
            details={"body": body, "protocol": protocol_number, "date": protocol_date.isoformat()},
        )
    return agreement


def version_return_to_draft(*, version: DocumentVersion, actor) -> DocumentVersion:
    """Back to a draft (the council asked for changes): its agreement records are dropped with it."""
    organisation = version.document.organisation
    require_manage_documents(actor, organisation)
    with transaction.atomic():
        version = DocumentVersion.objects.select_for_update().get(pk=version.pk)
        if version.status != Status.AGREEMENT:
            raise Conflict(_("Вернуть в черновик можно только версию на согласовании."), code="not_on_agreement")
        version.agreements.all().delete()
        version.status = Status.DRAFT
        version.sent_to_agreement_at = None
        version.save(update_fields=["status", "sent_to_agreement_at"])
        audit_record(organisation=organisation, actor=actor, action="policy.returned_to_draft", obj=version)
    return version


def _bring_into_force(version: DocumentVersion, now) -> None:
    """Within the caller's transaction and lock of the document: the version in force loses force, this one enters.

    The old one is updated first: the database allows one version in force per document at any moment. An older
    version approved for a later date never enters: this one replaces it."""
    older_pending = Q(status=Status.APPROVED) & (
        Q(major__lt=version.major) | Q(major=version.major, minor__lt=version.minor)
    )
    version.document.versions.filter(Q(status=Status.IN_FORCE) | older_pending).exclude(pk=version.pk).update(
        status=Status.SUPERSEDED, superseded_at=now
    )
    version.status = Status.IN_FORCE
    version.save(update_fields=["status"])
    campaign_open(version, now)


def version_approve(
    *,
    version: DocumentVersion,
    actor,
    method: str,
    order_number: str = "",
    order_date: datetime.date | None = None,
    in_force_from: datetime.date | None = None,
    ask_students: bool | None = None,
    ask_parents: bool | None = None,
) -> DocumentVersion:
    """The director approves («УТВЕРЖДАЮ» here, or records the order): never the draft's author or an editor.

    From this moment the content and the data snapshot are frozen. A version whose date has come is in force at
    once (the previous one loses force); a later date waits for `versions_bring_into_force`. `ask_students` and
    `ask_parents`, when given, set who besides the staff is asked to acknowledge the document."""
    document = version.document
    organisation = document.organisation
    require_director(actor, organisation)
    if method not in DocumentVersion.ApprovalMethod.values:
        raise RuleViolation(
            _("Выберите способ утверждения."), code="invalid", fields={"method": [_("Неизвестный способ.")]}
        )
    order_number = (order_number or "").strip()
    today = timezone.localdate()
    if method == DocumentVersion.ApprovalMethod.ORDER:
        errors = {}
        if not order_number:
            errors["order_number"] = [_("Укажите номер приказа.")]
        if not isinstance(order_date, datetime.date):
            errors["order_date"] = [_("Укажите дату приказа.")]
        elif order_date > today:
            errors["order_date"] = [_("Дата приказа не может быть в будущем.")]
        if errors:
            raise RuleViolation(_("Укажите номер и дату приказа об утверждении."), code="invalid", fields=errors)
    else:
        order_number, order_date = "", None
    in_force_from = in_force_from or today
    if order_date and in_force_from < order_date:
        raise RuleViolation(
            _("Документ не может вступить в силу раньше приказа."),
            code="invalid",
            fields={"in_force_from": [_("Раньше даты приказа.")]},
        )
    with transaction.atomic():
        Document.objects.select_for_update().get(pk=document.pk)
        version = DocumentVersion.objects.select_for_update().select_related("document").get(pk=version.pk)
        if version.author_id == actor.pk or version.editors.filter(pk=actor.pk).exists():
            raise PermissionDenied(
                _("Автор проекта и те, кто его правил, не могут его утвердить: утверждает другой человек."),
                code="author_cannot_approve",
            )
        allowed = (Status.AGREEMENT, Status.DRAFT) if document.kind == Document.Kind.ORDER else (Status.AGREEMENT,)
        if version.status not in allowed:
            if version.status == Status.DRAFT:
                raise Conflict(_("Сначала направьте проект на согласование."), code="not_agreed")
            raise Conflict(_("Эта версия уже утверждена."), code="already_approved")
        now = timezone.now()
        version.status = Status.APPROVED
        version.approval_method = method
        version.order_number = order_number
        version.order_date = order_date
        version.approved_by = actor
        version.approved_at = now
        version.in_force_from = in_force_from
        version.save()
        if ask_students is not None or ask_parents is not None:
            document = Document.objects.get(pk=document.pk)
            if ask_students is not None:
                document.ask_students = ask_students
            if ask_parents is not None:
                document.ask_parents = ask_parents
            document.save(update_fields=["ask_students", "ask_parents"])
            version.document = document
        if in_force_from <= today:
            _bring_into_force(version, now)
        audit_record(
            organisation=organisation,
            actor=actor,
            action="policy.approved",
            obj=version,
            details={"number": version.number, "order": order_number, "in_force_from": in_force_from.isoformat()},
        )
    return version


def versions_bring_into_force(*, today: datetime.date | None = None) -> int:
    """Approved versions whose date has come enter into force (idempotent; the daily job). Returns how many."""
    today = today or timezone.localdate()
    count = 0
    due = DocumentVersion.objects.filter(status=Status.APPROVED, in_force_from__lte=today).values_list(
        "pk", "document_id"
    )
    for pk, document_id in due.order_by("in_force_from", "major", "minor"):
        with transaction.atomic():
            Document.objects.select_for_update().get(pk=document_id)
            version = DocumentVersion.objects.select_related("document").get(pk=pk)
            if version.status != Status.APPROVED:
                continue
            _bring_into_force(version, timezone.now())
            count += 1
    return count
