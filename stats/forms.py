from django import forms

from .services.areas import TARGET_MAX, TARGET_MIN
from .targets import KEYS, LABELS

TARGET_ERROR = f"Целевое значение — целое число процентов от {TARGET_MIN} до {TARGET_MAX}."


class TargetsForm(forms.Form):
    """Targets of an organisation or an area; an empty field keeps the value of the level above."""

    def __init__(self, *args, targets: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for key in KEYS:
            target = targets[key]
            self.fields[key] = forms.IntegerField(
                label=f"{LABELS[key]}, %",
                required=False,
                min_value=TARGET_MIN,
                max_value=TARGET_MAX,
                initial=target.own,
                error_messages={
                    "invalid": TARGET_ERROR,
                    "min_value": TARGET_ERROR,
                    "max_value": TARGET_ERROR,
                },
                help_text=f"Сейчас действует {target.value} % ({target.source_label}). Пусто — как уровнем выше.",
                widget=forms.NumberInput(attrs={"min": TARGET_MIN, "max": TARGET_MAX, "inputmode": "numeric"}),
            )
