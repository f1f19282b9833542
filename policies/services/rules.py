"""The organisation's list of forbidden services, kept by its administrators (browser and API alike)."""

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orgs.models import Organisation
from orgs.permissions import require
from orgs.services.audit import audit_record
from portal.exceptions import NotFound, RuleViolation

from ..models import ForbiddenService
from .content import clean_domains, clean_forms, rule_set_ensure, rules_changed

MANAGE = "manage_org"
DENIED = gettext_lazy("Правила содержания чатов меняют только администраторы организации.")


def forbidden_services(*, organisation: Organisation, actor):
    """The organisation's forbidden services (seeded on first use), for its administrators."""
    require(actor, MANAGE, organisation, DENIED)
    rule_set_ensure(organisation.pk)
    return ForbiddenService.objects.filter(organisation=organisation).order_by(Lower("name"), "pk")


def forbidden_service_get(*, organisation: Organisation, actor, pk) -> ForbiddenService:
    """One service of this organisation's list; another organisation's is not found."""
    require(actor, MANAGE, organisation, DENIED)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("Сервис не найден.")) from None
    service = ForbiddenService.objects.filter(organisation=organisation, pk=pk).first()
    if service is None:
        raise NotFound(_("Сервис не найден."))
    return service


def _clean_name(name) -> str:
    name = " ".join(str(name or "").split())
    if not name:
        raise RuleViolation(_("Введите название сервиса."), code="name", fields={"name": [_("Введите название.")]})
    if len(name) > 100:
        msg = _("Название длиннее 100 символов.")
        raise RuleViolation(msg, code="name", fields={"name": [msg]})
    return name


def _require_patterns(domains, forms) -> None:
    if not domains and not forms:
        msg = _("Укажите хотя бы один домен или одну форму названия: иначе правилу нечего искать.")
        raise RuleViolation(msg, code="empty_rule", fields={"domains": [msg]})


def _duplicate(name):
    msg = _("Сервис «%(name)s» уже есть в списке.") % {"name": name}
    return RuleViolation(msg, code="duplicate", fields={"name": [msg]})


def _save(organisation, actor, service: ForbiddenService, action: str, fields=None) -> ForbiddenService:
    try:
        with transaction.atomic():
            if (
                ForbiddenService.objects.filter(organisation=organisation, name__iexact=service.name)
                .exclude(pk=service.pk)
                .exists()
            ):
                raise _duplicate(service.name)
            service.save(update_fields=fields)
            rules_changed(organisation.pk)
            details = {"service": service.name}
            if action == "content_rule.updated":
                details["enabled"] = service.enabled
            audit_record(organisation=organisation, actor=actor, action=action, obj=service, details=details)
    except IntegrityError:
        raise _duplicate(service.name) from None
    return service


def forbidden_service_create(
    *, organisation: Organisation, actor, name: str, domains=(), name_forms=(), enabled: bool = True
) -> ForbiddenService:
    """Add a service to the organisation's list (administrators)."""
    require(actor, MANAGE, organisation, DENIED)
    rule_set_ensure(organisation.pk)
    name, domains, forms = _clean_name(name), clean_domains(domains), clean_forms(name_forms)
    _require_patterns(domains, forms)
    service = ForbiddenService(
        organisation=organisation, name=name, domains=domains, name_forms=forms, enabled=bool(enabled)
    )
    return _save(organisation, actor, service, "content_rule.created")


def forbidden_service_update(*, service: ForbiddenService, actor, **changes) -> ForbiddenService:
    """Change a service of the list: its name, domains, name forms, or whether it is in force."""
    organisation = service.organisation
    require(actor, MANAGE, organisation, DENIED)
    if "name" in changes:
        service.name = _clean_name(changes["name"])
    if "domains" in changes:
        service.domains = clean_domains(changes["domains"])
    if "name_forms" in changes:
        service.name_forms = clean_forms(changes["name_forms"])
    if "enabled" in changes:
        service.enabled = bool(changes["enabled"])
    _require_patterns(service.domains, service.name_forms)
    service.updated_at = timezone.now()
    return _save(organisation, actor, service, "content_rule.updated")


def forbidden_service_delete(*, service: ForbiddenService, actor) -> None:
    """Take a service off the list."""
    organisation = service.organisation
    require(actor, MANAGE, organisation, DENIED)
    with transaction.atomic():
        audit_record(
            organisation=organisation,
            actor=actor,
            action="content_rule.deleted",
            obj=service,
            details={"service": service.name},
        )
        service.delete()
        rules_changed(organisation.pk)
