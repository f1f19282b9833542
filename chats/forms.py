"""Forms of the chat pages: a new message (optionally a reply, optionally with files) and an edit."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import MESSAGE_MAX_LENGTH
from .services.attachments import ACCEPT


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented way): cleans to a list, empty when none is chosen."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [cleaned for cleaned in (super(MultipleFileField, self).clean(f, initial) for f in files) if cleaned]


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}".replace(".", ",")


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Сообщение"),
        max_length=MESSAGE_MAX_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    files = MultipleFileField(
        label=_("Файлы"), required=False, widget=MultipleFileInput(attrs={"multiple": True, "accept": ACCEPT})
    )
    reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits = {kind: _megabytes(size) for kind, size in settings.CHAT_ATTACHMENT_MAX_BYTES.items()}
        self.fields["files"].help_text = gettext(
            "До %(count)s файлов в сообщении. Фото (JPEG, PNG, WebP, GIF) — до %(photo)s МБ, "
            "аудио (MP3, OGG, M4A, AAC, WAV) — до %(audio)s МБ, видео (MP4, WebM, MOV) — до %(video)s МБ, "
            "документы (PDF, DOCX, XLSX, PPTX, ODT, ODS, TXT, CSV) — до %(document)s МБ. "
            "Программы и сценарии отправлять нельзя."
        ) % {"count": settings.CHAT_ATTACHMENTS_PER_MESSAGE, **limits}

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("text") or "").strip() and not cleaned.get("files") and "files" not in self.errors:
            self.add_error("text", gettext("Введите текст сообщения или приложите файл."))
        return cleaned


class EditForm(forms.Form):
    text = forms.CharField(label=_("Текст"), max_length=MESSAGE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))
