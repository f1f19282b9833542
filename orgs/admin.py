"""The platform operator's pages: registration applications to decide, and a read-only look at the rest.

Writes go through the services (approval creates the organisation, its staff group and its administrator in one
transaction), so the lists below that would bypass them are read-only.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from portal.exceptions import PortalError
from portal.quotes import inner_quotes

from .models import AuditEntry, Group, Membership, Organisation, RegistrationApplication
from .services.registration import application_approve, application_reject
from .services.structure import PROFILE_EDITABLE, organisation_update


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Причина отказа"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=2000,
        help_text=_("Заявитель получит её по электронной почте."),
    )


@admin.register(RegistrationApplication)
class RegistrationApplicationAdmin(ReadOnlyAdmin):
    list_display = ("short_name", "kind", "region", "admin_name", "admin_phone", "status", "submitted_at")
    list_filter = ("status", "kind", "region")
    search_fields = ("short_name", "full_name", "admin_last_name", "admin_phone", "admin_email")
    date_hierarchy = "submitted_at"
    actions = ["approve_selected"]
    fieldsets = (
        (_("Решение"), {"fields": ("status", "submitted_at", "decided_at", "decided_by", "rejection_reason",
                                   "organisation")}),
        (_("Организация"), {"fields": ("kind", "full_name", "short_name", "address", "region", "municipality",
                                       "contact_phone", "contact_email", "website", "time_zone")}),
        (_("Администратор"), {"fields": ("admin_last_name", "admin_first_name", "admin_patronymic", "admin_email",
                                         "admin_phone", "order_link")}),
    )  # fmt: skip
    readonly_fields = ("order_link",)

    @admin.display(description=_("администратор"), ordering="admin_last_name")
    def admin_name(self, obj):
        return obj.admin_full_name

    @admin.display(description=_("приказ о назначении администратора"))
    def order_link(self, obj):
        if not obj.order_file:
            return "—"
        url = reverse("admin:orgs_registrationapplication_order", args=[obj.pk])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("Открыть приказ"))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/approve/", wrap(self.approve_view), name="orgs_registrationapplication_approve"),
            path("<int:pk>/reject/", wrap(self.reject_view), name="orgs_registrationapplication_reject"),
            path("<int:pk>/order/", wrap(self.order_view), name="orgs_registrationapplication_order"),
            *super().get_urls(),
        ]

    def _operator(self, request):
        if not request.user.is_superuser:
            raise PermissionDenied

    def _change_url(self, pk):
        return reverse("admin:orgs_registrationapplication_change", args=[pk])

    def _approve(self, request, application) -> bool:
        try:
            organisation = application_approve(application=application, actor=request.user)
        except PortalError as error:
            self.message_user(request, f"«{inner_quotes(application.short_name)}»: {error.message}", messages.ERROR)
            return False
        self.message_user(
            request,
            _("Заявка одобрена: организация «%(name)s» создана, администратору отправлено письмо.")
            % {"name": organisation.short_name},
            messages.SUCCESS,
        )
        return True

    def approve_view(self, request, pk):
        self._operator(request)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        application = get_object_or_404(RegistrationApplication, pk=pk)
        self._approve(request, application)
        return redirect(self._change_url(pk))

    def reject_view(self, request, pk):
        self._operator(request)
        application = get_object_or_404(RegistrationApplication, pk=pk)
        form = RejectForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                application_reject(application=application, actor=request.user, reason=form.cleaned_data["reason"])
            except PortalError as error:
                self.message_user(request, error.message, messages.ERROR)
            else:
                self.message_user(request, _("Заявка отклонена, заявителю отправлено письмо."), messages.SUCCESS)
            return redirect(self._change_url(pk))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": application,
            "form": form,
            "title": _("Отклонить заявку «%(name)s»") % {"name": application.short_name},
        }
        return TemplateResponse(request, "admin/orgs/registrationapplication/reject.html", context)

    def order_view(self, request, pk):
        """The order is served to the operator only, never from a public media URL."""
        self._operator(request)
        application = get_object_or_404(RegistrationApplication, pk=pk)
        if not application.order_file:
            raise Http404
        try:
            handle = application.order_file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(handle, filename=application.order_file.name.rsplit("/", 1)[-1])

    @admin.action(description=_("Одобрить выбранные заявки"))
    def approve_selected(self, request, queryset):
        for application in queryset:
            self._approve(request, application)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("short_name", "kind", "region", "municipality", "is_active", "created_at")
    list_filter = ("kind", "is_active", "region")
    search_fields = ("short_name", "full_name", "municipality")
    fields = ("kind", *PROFILE_EDITABLE, "is_active", "created_at")
    readonly_fields = ("kind", "is_active", "created_at")
    # As on the profile form: a site typed without a scheme is taken as https (Django 6's default, asked for now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request):
        return False  # organisations come into being by approving an application

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        original = Organisation.objects.get(pk=obj.pk)
        organisation_update(
            organisation=original, actor=request.user, data={f: form.cleaned_data[f] for f in PROFILE_EDITABLE}
        )


@admin.register(Group)
class GroupAdmin(ReadOnlyAdmin):
    list_display = ("name", "organisation", "kind", "academic_year", "is_archived")
    list_filter = ("kind", "is_archived")
    search_fields = ("name", "organisation__short_name")
    list_select_related = ("organisation", "academic_year")


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("user", "organisation", "role", "position", "verification", "valid_from", "valid_to")
    list_filter = ("role", "verification", "position")
    search_fields = ("user__last_name", "user__phone", "user__email", "organisation__short_name")
    list_select_related = ("user", "organisation")


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "organisation", "actor", "action", "object_repr", "ip_address")
    list_filter = ("action",)
    search_fields = ("action", "object_repr", "actor__last_name", "organisation__short_name")
    list_select_related = ("organisation", "actor")
    date_hierarchy = "created_at"
