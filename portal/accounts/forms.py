"""Sign-in forms: a password, or a one-time code in two steps."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.exceptions import PortalError

from .services import normalize_identifier


def _clean_identifier(value: str) -> str:
    try:
        normalize_identifier(value)
    except PortalError as error:
        raise ValidationError(error.message) from None
    except ValidationError as error:
        raise ValidationError(error.messages) from None
    return value.strip()


class PasswordLoginForm(forms.Form):
    identifier = forms.CharField(
        label=_("Телефон или e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
        help_text=_("Например, +7 900 000-00-00 или name@school.ru"),
    )
    password = forms.CharField(
        label=_("Пароль"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def clean_identifier(self):
        return _clean_identifier(self.cleaned_data["identifier"])


class CodeRequestForm(forms.Form):
    identifier = forms.CharField(
        label=_("Телефон или e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
        help_text=_("Мы пришлём одноразовый код для входа."),
    )

    def clean_identifier(self):
        return _clean_identifier(self.cleaned_data["identifier"])


class CodeVerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Код из сообщения"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}", "autofocus": True}
        ),
        help_text=_("Шесть цифр."),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise ValidationError(_("Код состоит из шести цифр."))
        return code


def password_form(user, data=None):
    """Django's password forms with its validators: the current password is asked for when the person has one;
    after a report of unauthorised access (or an account made by invite) a new one is simply set."""
    from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm

    form_class = PasswordChangeForm if user.has_usable_password() else SetPasswordForm
    return form_class(user, data)


class AccessReportForm(forms.Form):
    comment = forms.CharField(
        label=_("Что произошло (необязательно)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Например: «пришёл код, который я не запрашивал», «в чате сообщения, которых я не писал»."),
    )
