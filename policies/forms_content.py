from django import forms
from django.utils.translation import gettext_lazy as _


class ForbiddenServiceForm(forms.Form):
    name = forms.CharField(label=_("Название сервиса"), max_length=100)
    domains = forms.CharField(
        label=_("Домены и ссылки"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("По одному в строке: t.me, chat.whatsapp.com. Ссылка на домен или любой его поддомен отклоняется."),
    )
    name_forms = forms.CharField(
        label=_("Формы названия"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "По одной в строке: «телеграм», «телега», «tg». Формы до трёх букв ищутся как отдельное слово, "
            "длиннее — как начало слова с окончанием. Название вместе с призывом перейти отклоняется, "
            "без призыва — отправляется модераторам."
        ),
    )
    enabled = forms.BooleanField(label=_("Действует"), required=False, initial=True)
