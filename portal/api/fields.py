"""Serializer fields and parsing helpers every app's API uses."""

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

from portal.exceptions import RuleViolation

MAX_ID = 2**63 - 1  # bigint: a larger number cannot be an id and must not reach the database
# Ids are 64-bit in the database; a larger number is a validation error, not an overflow.
ID_LIMITS = {"min_value": 1, "max_value": MAX_ID}


def IdField(**kwargs):  # noqa: N802 - reads like a field class
    return serializers.IntegerField(**ID_LIMITS, **kwargs)


def parse_int(value, field):
    """A number from a path or a query parameter; anything else is a 400 naming `field`."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise RuleViolation(_("Ожидается число."), code="invalid", fields={field: [_("Ожидается число.")]}) from None


class EnumField(serializers.ChoiceField):
    """A choice field documented as one named enum: «role» and «status» name other choice sets in the
    organisations' API, so the schema cannot name these enums after the field alone."""

    def __init__(self, choices, *, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(choices=choices, **kwargs)


class EnumFieldExtension(OpenApiSerializerFieldExtension):
    target_class = EnumField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        choices = list(field.choices.items())
        component = ResolvedComponent(
            name=field.enum_name,
            type=ResolvedComponent.SCHEMA,
            object=field.enum_name,
            schema={
                "type": "string",
                "enum": [value for value, _ in choices],
                "description": "\n".join(f"* `{value}` — {label}" for value, label in choices),
            },
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref
