"""Chat titles are stored in Russian, whatever language the acting user reads (like the staff group's name)."""

from django.utils import translation

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
