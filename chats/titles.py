"""Chat titles are stored in Russian, whatever language the acting user reads (like the staff group's name)."""

from django.utils import translation
from django.utils.translation import gettext_lazy

from orgs.models import Organisation

from .models import Chat


def _ru(text) -> str:
    with translation.override("ru"):
        return str(text)


def system_channel_title(organisation: Organisation, kind: str) -> str:
    vocabulary = organisation.vocabulary
    return _ru(vocabulary.general_channel if kind == Chat.Kind.GENERAL_CHANNEL else vocabulary.staff_channel)


def structure_chat_title(organisation: Organisation, kind: str, group_name: str, subject: str = "") -> str:
    """«Класс 5А», «5А — родители», «5А — учителя», «5А — Математика» (a college says «группа», «преподаватели»)."""
    vocabulary = organisation.vocabulary
    if kind == Chat.Kind.CLASS:
        return f"{_ru(vocabulary.group).capitalize()} {group_name}"
    if kind == Chat.Kind.CLASS_PARENTS:
        return f"{group_name} — родители"
    if kind == Chat.Kind.CLASS_TEACHERS:
        return f"{group_name} — {_ru(vocabulary.teachers)}"
    return f"{group_name} — {subject}"


CLASS_KIND_LABELS = {
    Chat.Kind.CLASS: gettext_lazy("чат %(group)s"),
    Chat.Kind.CLASS_PARENTS: gettext_lazy("чат родителей %(group)s"),
    Chat.Kind.CLASS_TEACHERS: gettext_lazy("чат педагогов %(group)s"),
}


def kind_label(kind: str, organisation: Organisation) -> str:
    """The kind of chat in the reader's language and the organisation's words: «чат класса», «чат группы»."""
    label = CLASS_KIND_LABELS.get(kind)
    if label is None:
        return str(Chat.Kind(kind).label)
    return str(label) % {"group": organisation.vocabulary.group_genitive}
