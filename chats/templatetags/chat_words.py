"""The chat pages' words that depend on the organisation's kind (orgs/vocabulary.py)."""

from django import template

from ..titles import kind_label as _kind_label

register = template.Library()


@register.filter
def kind_label(chat, organisation) -> str:
    """«Чат класса» in a school, «чат группы» in a college."""
    return _kind_label(chat.kind, organisation)
