"""Forms of the chat pages: a new message (optionally a reply) and an edit."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MESSAGE_MAX_LENGTH


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Сообщение"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)


class EditForm(forms.Form):
    text = forms.CharField(label=_("Текст"), max_length=MESSAGE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))
