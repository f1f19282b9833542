from django import forms
from django.utils.translation import gettext_lazy as _

from orgs.vocabulary import Vocabulary

from .columns import FIELDS
from .models import RosterKind
from .reading import MAX_BYTES


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Кого загружаете"), choices=RosterKind.choices, initial=RosterKind.STUDENTS)
    file = forms.FileField(
        label=_("Файл CSV или XLSX"),
        help_text=_("Выгрузка из электронного журнала: до 10 МБ и 20 000 строк; CSV в UTF-8 или Windows-1251."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("Нужен файл CSV или XLSX."))
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("Файл больше 10 МБ. Разделите его на части (например, по параллелям) и загрузите по очереди.")
            )
        return upload


class MappingForm(forms.Form):
    """Which column of the file holds each field: one select per field, the guesses chosen already."""

    def __init__(self, *args, kind: str, headers: list[str], mapping: dict, vocabulary: Vocabulary, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— нет в файле —")), *((str(i), header or f"#{i + 1}") for i, header in enumerate(headers))]
        for field in FIELDS[kind]:
            self.fields[field.name] = forms.ChoiceField(
                label=field.label_in(vocabulary),
                choices=choices,
                required=False,
                initial=str(mapping.get(field.name, "")),
            )


class RowForm(forms.Form):
    """One row of the file as the administrator corrects it in the preview."""

    def __init__(self, *args, kind: str, values: dict, vocabulary: Vocabulary, **kwargs):
        super().__init__(*args, **kwargs)
        for field in FIELDS[kind]:
            self.fields[field.name] = forms.CharField(
                label=field.label_in(vocabulary), required=False, max_length=300, initial=values.get(field.name, "")
            )
