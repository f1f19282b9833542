"""Filter backends of the API with bounded free text.

A search (`search`) or a text filter (a CharFilter: a name, a region, an action) longer than
settings.API_SEARCH_MAX_LENGTH characters, or a search of more than SEARCH_MAX_TERMS words, is refused with a 400
that names the parameter. It is not truncated: a cut search would silently answer another question than the one
asked. The browser's search forms have the same limit (max_length on their fields).
"""

import django_filters
from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from rest_framework import filters
from rest_framework.exceptions import ValidationError

from .fields import MAX_ID

SEARCH_MAX_TERMS = 10  # each word adds a condition on every searched column


def check_text(name: str, value: str) -> str:
    """The value of a free-text query parameter, or a 400 if it is longer than the API allows."""
    limit = settings.API_SEARCH_MAX_LENGTH
    if len(value) > limit:
        raise ValidationError(
            {name: [_("Не длиннее %(limit)s символов (сейчас %(length)s).") % {"limit": limit, "length": len(value)}]}
        )
    if "\x00" in value:  # PostgreSQL cannot compare text with a NUL character: it would be a 500
        raise ValidationError({name: [_("Недопустимый символ в строке.")]})
    return value


class SearchFilter(filters.SearchFilter):
    def filter_queryset(self, request, queryset, view):
        self.checked_terms(request, view)
        return super().filter_queryset(request, queryset, view)

    def checked_terms(self, request, view) -> list[str]:
        """The words searched for, or a 400 if there are too many or too long; none for a view without search."""
        if not self.get_search_fields(view, request):  # a view without search ignores the parameter
            return []
        check_text(self.search_param, request.query_params.get(self.search_param, ""))
        terms = self.get_search_terms(request)
        if len(terms) > SEARCH_MAX_TERMS:
            raise ValidationError({self.search_param: [_("Не больше %(count)s слов.") % {"count": SEARCH_MAX_TERMS}]})
        return terms


def filter_values(request, view, model) -> dict:
    """The view's filterset's values (`cleaned_data`) as FilterBackend would filter by them, or its 400: for a view
    that reads its rows without a queryset."""
    filterset = FilterBackend().get_filterset(request, model.objects.none(), view)
    if not filterset.is_valid():
        raise translate_validation(filterset.errors)
    return filterset.form.cleaned_data


class FilterBackend(DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            for name, field in filterset.filters.items():
                if isinstance(field, django_filters.CharFilter):
                    for value in request.query_params.getlist(name):
                        check_text(name, value)
        return filterset


class IdFilter(django_filters.NumberFilter):
    """A whole positive number that fits an id column; anything else is a 400, not a database overflow."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
