"""Forms of the event and poll pages. They parse input (times typed in the organisation's zone); the services
decide the rules."""

from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import Group, Organisation

from .models import Chat, Event
from .services.audiences import group_label
from .services.events import MAX_DURATION_MINUTES, MAX_REMINDER_MINUTES

POLL_OPTION_INPUTS = 10


class OrgDateTimeField(forms.DateTimeField):
    """A date and time typed on the page means the organisation's local time, not the server's."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, *args, zone=None, **kwargs):
        self.zone = zone
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        with timezone.override(self.zone or timezone.get_current_timezone()):
            return super().to_python(value)

    def prepare_value(self, value):
        with timezone.override(self.zone or timezone.get_current_timezone()):
            return super().prepare_value(value)


def _zone_help(organisation: Organisation) -> str:
    return _("Время по часовому поясу организации: %(zone)s.") % {"zone": organisation.get_time_zone_display()}


def _set_zone(form: forms.Form, name: str, organisation: Organisation) -> None:
    field = form.fields[name]
    field.zone = ZoneInfo(organisation.time_zone)
    field.help_text = f"{field.help_text} {_zone_help(organisation)}".strip()


class EventForm(forms.Form):
    """«Запланировать событие»: the audience is one of the chats the user may post in or the groups they may
    schedule for, given as `chat-<id>` or `group-<id>`."""

    kind = forms.ChoiceField(label=_("Вид события"), choices=Event.Kind.choices)
    title = forms.CharField(label=_("Название"), max_length=200)
    starts_at = OrgDateTimeField(label=_("Начало"))
    duration_minutes = forms.IntegerField(
        label=_("Длительность, минут"), min_value=1, max_value=MAX_DURATION_MINUTES, initial=45
    )
    audience = forms.ChoiceField(label=_("Для кого"))
    video_url = forms.CharField(
        label=_("Ссылка на видеосвязь"),
        max_length=500,
        required=False,
        widget=forms.URLInput(attrs={"inputmode": "url"}),
        help_text=_("Необязательно. Только защищённая ссылка, начинающаяся с https://."),
    )
    description = forms.CharField(
        label=_("Описание"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    reminder_minutes_before = forms.IntegerField(
        label=_("Напомнить за, минут"),
        min_value=0,
        max_value=MAX_REMINDER_MINUTES,
        initial=60,
        help_text=_("Напоминание придёт в чат и на почту. 0 — в момент начала."),
    )

    def __init__(self, *args, organisation: Organisation, chats: list[Chat], groups: list[Group], **kwargs):
        super().__init__(*args, **kwargs)
        _set_zone(self, "starts_at", organisation)
        self.targets = {f"chat-{c.pk}": ("chat", c) for c in chats}
        self.targets |= {f"group-{g.pk}": ("group", g) for g in groups}
        choices = [("", _("— выберите —"))]
        if groups:
            labelled = [(f"group-{g.pk}", group_label(g, organisation)) for g in groups]
            choices.append((_("Класс или коллектив"), labelled))
        if chats:
            choices.append((_("Участники чата"), [(f"chat-{c.pk}", c.title) for c in chats]))
        self.fields["audience"].choices = choices

    def clean_video_url(self):
        url = self.cleaned_data["video_url"].strip()
        if url and not url.lower().startswith("https://"):
            raise forms.ValidationError(_("Ссылка на видеосвязь должна начинаться с https://."))
        return url

    def chosen_audience(self) -> dict:
        """{"chat": chat} or {"group": group}, from the cleaned choice."""
        kind, target = self.targets[self.cleaned_data["audience"]]
        return {kind: target}


class PollForm(forms.Form):
    """«Создать опрос»: a question, up to ten options (empty inputs are ignored), the choices, a closing time."""

    question = forms.CharField(label=_("Вопрос"), max_length=300)
    multiple = forms.BooleanField(label=_("Можно выбрать несколько вариантов"), required=False)
    anonymous = forms.BooleanField(
        label=_("Анонимный опрос"), required=False, help_text=_("Никто не увидит, кто как проголосовал.")
    )
    closes_at = OrgDateTimeField(label=_("Закрыть опрос"), required=False, help_text=_("Необязательно."))

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        _set_zone(self, "closes_at", organisation)
        for n in range(1, POLL_OPTION_INPUTS + 1):
            self.fields[f"option_{n}"] = forms.CharField(
                label=_("Вариант %(n)s") % {"n": n}, max_length=200, required=False
            )

    def option_fields(self):
        return [self[f"option_{n}"] for n in range(1, POLL_OPTION_INPUTS + 1)]

    def main_fields(self):
        return [self["question"]]

    def choice_fields(self):
        return [self["multiple"], self["anonymous"], self["closes_at"]]

    def clean_closes_at(self):
        closes_at = self.cleaned_data["closes_at"]
        if closes_at is not None and closes_at <= timezone.now():
            raise forms.ValidationError(_("Это время уже прошло: укажите время закрытия в будущем."))
        return closes_at

    def clean(self):
        cleaned = super().clean()
        options = [(cleaned.get(f"option_{n}") or "").strip() for n in range(1, POLL_OPTION_INPUTS + 1)]
        options = [o for o in options if o]
        if len(options) < 2:
            raise forms.ValidationError(_("Укажите хотя бы два варианта ответа."), code="too_few")
        seen = set()
        for option in options:
            key = option.casefold()
            if key in seen:
                raise forms.ValidationError(
                    _("Вариант «%(option)s» указан дважды: варианты ответа не должны повторяться.")
                    % {"option": option},
                    code="duplicate",
                )
            seen.add(key)
        cleaned["options"] = options
        return cleaned
