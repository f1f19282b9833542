"""The dashboard's forms: «Выгрузить показатели»: a period (the API's ?from=&to=, checked by the same rules and
messages) and a file format."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.exceptions import RuleViolation

from .periods import parse_period
from .services.areas import TARGET_MAX, TARGET_MIN, target_error
from .targets import KEYS, LABELS

# The form's one choice → (file format, CSV table) of stats.exports.export_file.
CHOICES = {
    "xlsx": ("xlsx", "days", _("XLSX (Excel): по дням и по %(groups_dative)s")),
    "csv": ("csv", "days", _("CSV: показатели по дням")),
    "csv-classes": ("csv", "classes", _("CSV: таблица %(groups_genitive)s на последний день")),
}


class ExportForm(forms.Form):
    """Fields named as the query (?from=&to=&format=); «from» is a Python word, so they are set in __init__."""

    def __init__(self, *args, default_last: date, vocabulary, **kwargs):
        kwargs.setdefault("auto_id", "export-%s")  # unique among the page's forms
        super().__init__(*args, **kwargs)
        self.default_last = default_last
        words = vocabulary

        def day(label):
            return forms.CharField(
                label=label,
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )

        self.fields["from"] = day(_("С даты"))
        self.fields["to"] = day(_("По дату"))
        self.fields["format"] = forms.ChoiceField(
            label=_("Формат файла"),
            choices=[
                (key, label % {"groups_dative": words.groups_dative, "groups_genitive": words.groups_genitive})
                for key, (_, _, label) in CHOICES.items()
            ],
            widget=forms.RadioSelect,
        )

    def clean(self):
        data = super().clean()
        try:
            data["first"], data["last"] = parse_period(data.get("from"), data.get("to"), self.default_last)
        except RuleViolation as error:
            for field in error.fields:
                self.add_error(field, error.message)
        if data.get("format") in CHOICES:
            data["file_format"], data["table"], _ = CHOICES[data["format"]]
        return data


class TargetsForm(forms.Form):
    """Targets of an organisation or an area; an empty field keeps the value of the level above."""

    def __init__(self, *args, targets: dict, **kwargs):
        super().__init__(*args, **kwargs)
        error = target_error()
        for key in KEYS:
            target = targets[key]
            self.fields[key] = forms.IntegerField(
                label=f"{LABELS[key]}, %",
                required=False,
                min_value=TARGET_MIN,
                max_value=TARGET_MAX,
                initial=target.own,
                error_messages={
                    "invalid": error,
                    "min_value": error,
                    "max_value": error,
                },
                help_text=f"Сейчас действует {target.value} % ({target.source_label}). Пусто — как уровнем выше.",
                widget=forms.NumberInput(attrs={"min": TARGET_MIN, "max": TARGET_MAX, "inputmode": "numeric"}),
            )
