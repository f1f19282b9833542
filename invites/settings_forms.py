"""Forms of the organisation's settings page; the services check the values and word the errors."""

from django import forms
from django.utils.translation import gettext_lazy as _

from chats.models import Chat

from .services.policy import LIMITS

POLICY_LABELS = {
    "teacher_days": _("Срок ссылки для педагогов и %(curators)s, дней"),
    "student_days": _("Срок ссылки для обучающихся, дней"),
    "parent_days": _("Срок ссылки для родителей, дней"),
    "max_days": _("Наибольший срок ссылки, дней"),
    "unused_days": _("Аннулировать ссылки, по которым никто не перешёл, через (дней)"),
    "leak_margin": _("Запас переходов по ссылке сверх состава %(group)s"),
    "leak_spike_uses": _("Приостановить ссылку, если переходов больше, чем"),
    "leak_spike_minutes": _("…за столько минут"),
    "admin_hours": _("Срок ссылки для администратора, часов (не больше 72)"),
}


class SettingsForm(forms.Form):
    staff_headcount = forms.IntegerField(
        label=_("Численность сотрудников по штату"),
        required=False,
        help_text=_("Статистика показывает долю зарегистрированных сотрудников от этого числа."),
        error_messages={"invalid": _("Введите целое число.")},
    )

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        vocab = org.vocabulary
        words = {"curators": vocab.curators_genitive, "group": vocab.group_genitive}
        for field in LIMITS:
            self.fields[field] = forms.IntegerField(
                label=POLICY_LABELS[field] % words,
                error_messages={"invalid": _("Введите целое число."), "required": _("Обязательное поле.")},
            )


def _label(chat) -> str:
    """A system channel is named by its kind; an added one by its kind and title (there may be several)."""
    kind = str(chat.get_kind_display()).capitalize()
    return kind if chat.kind in Chat.SYSTEM_KINDS else f"{kind} «{chat.title}»"


class ChannelTitlesForm(forms.Form):
    """One title per channel (the system channels first); names are `title_<id>`."""

    def __init__(self, *args, channels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.channels = list(channels)
        for chat in self.channels:
            self.fields[f"title_{chat.pk}"] = forms.CharField(
                label=_label(chat),
                initial=chat.title,
                max_length=200,
                error_messages={"required": _("Введите название канала.")},
            )


class ChannelCreateForm(forms.Form):
    title = forms.CharField(
        label=_("Название нового канала"),
        max_length=200,
        error_messages={"required": _("Введите название канала.")},
    )
