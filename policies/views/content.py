"""The content rules page of an organisation's settings: its administrators keep the list of forbidden services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from orgs.web import org_page
from portal.exceptions import PortalError
from portal.web import apply_error_to_form, perform

from ..forms_content import ForbiddenServiceForm
from ..selectors_content import refusals_by_day
from ..services import rules


def _data(form) -> dict:
    data = dict(form.cleaned_data)
    data["domains"] = data.get("domains") or ""
    data["name_forms"] = data.get("name_forms") or ""
    return data


@org_page("manage_org")
def content_rules(request, org):
    form = ForbiddenServiceForm(request.POST or None, initial={"enabled": True})
    if request.method == "POST" and form.is_valid():
        try:
            service = rules.forbidden_service_create(organisation=org, actor=request.user, **_data(form))
        except (PortalError, ValidationError) as error:
            apply_error_to_form(form, error)
        else:
            messages.success(request, _("Сервис «%(name)s» добавлен в перечень.") % {"name": service.name})
            return redirect("policies:content_rules", org.pk)
    services = rules.forbidden_services(organisation=org, actor=request.user)
    return render(
        request,
        "policies/content_rules.html",
        {"services": services, "form": form, "refusals": refusals_by_day(org, days=30)},
    )


@org_page("manage_org")
def content_rule_edit(request, org, rule_id):
    service = rules.forbidden_service_get(organisation=org, actor=request.user, pk=rule_id)
    initial = {
        "name": service.name,
        "domains": "\n".join(service.domains),
        "name_forms": "\n".join(service.name_forms),
        "enabled": service.enabled,
    }
    form = ForbiddenServiceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rules.forbidden_service_update(service=service, actor=request.user, **_data(form))
        except (PortalError, ValidationError) as error:
            apply_error_to_form(form, error)
        else:
            messages.success(request, _("Изменения сохранены."))
            return redirect("policies:content_rules", org.pk)
    return render(request, "policies/content_rule_form.html", {"form": form, "service": service})


@require_POST
@org_page("manage_org")
def content_rule_toggle(request, org, rule_id):
    service = rules.forbidden_service_get(organisation=org, actor=request.user, pk=rule_id)
    enabled = not service.enabled
    success = _("Правило «%(name)s» снова действует.") if enabled else _("Правило «%(name)s» приостановлено.")
    perform(
        request,
        lambda: rules.forbidden_service_update(service=service, actor=request.user, enabled=enabled),
        success % {"name": service.name},
    )
    return redirect("policies:content_rules", org.pk)


@require_POST
@org_page("manage_org")
def content_rule_delete(request, org, rule_id):
    service = rules.forbidden_service_get(organisation=org, actor=request.user, pk=rule_id)
    perform(
        request,
        lambda: rules.forbidden_service_delete(service=service, actor=request.user),
        _("Сервис «%(name)s» удалён из перечня.") % {"name": service.name},
    )
    return redirect("policies:content_rules", org.pk)
