"""The operator's view of accounts: people are found by phone, e-mail and name; there is no username."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm
from django.contrib.auth.forms import UserChangeForm as BaseUserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import User
from .phones import normalize_phone


class _ContactsMixin:
    def clean_phone(self):
        phone = self.cleaned_data.get("phone")
        return normalize_phone(phone) if phone else None

    def clean_email(self):
        email = self.cleaned_data.get("email")
        if not email:
            return None
        email = email.strip().lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("Пользователь с таким e-mail уже зарегистрирован."))
        return email

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("phone") and not cleaned.get("email"):
            raise ValidationError(_("Укажите телефон или e-mail."))
        return cleaned


class UserCreationForm(_ContactsMixin, BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("phone", "email", "last_name", "first_name", "patronymic")
        field_classes = {}


class UserChangeForm(_ContactsMixin, BaseUserChangeForm):
    phone = forms.CharField(label=_("телефон"), required=False, max_length=32)

    class Meta:
        model = User
        fields = "__all__"
        field_classes = {}


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ("full_name", "phone", "email", "is_active", "is_staff", "date_joined")
    list_filter = ("is_active", "is_staff", "is_superuser")
    search_fields = ("last_name", "first_name", "patronymic", "phone", "email")
    ordering = ("last_name", "first_name", "id")
    readonly_fields = ("last_login", "date_joined")
    fieldsets = (
        (None, {"fields": ("phone", "email", "password")}),
        (_("ФИО"), {"fields": ("last_name", "first_name", "patronymic")}),
        (_("Права"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Даты"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("phone", "email", "last_name", "first_name", "patronymic", "password1", "password2"),
            },
        ),
    )

    @admin.display(description=_("ФИО"), ordering="last_name")
    def full_name(self, obj):
        return obj.full_name
