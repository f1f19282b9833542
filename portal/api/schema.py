"""Shared OpenAPI pieces: the error shape, the usual error responses and the schema of a list-only view set."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers

ErrorSerializer = inline_serializer(
    "Error",
    {
        "error": inline_serializer(
            "ErrorBody",
            {
                "code": serializers.CharField(help_text="машиночитаемый код"),
                "message": serializers.CharField(help_text="сообщение на русском языке"),
                "fields": serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
            },
        )
    },
)


def _r(text):
    return OpenApiResponse(ErrorSerializer, description=text)


ERRORS = {
    400: _r("Неверные данные или нарушено правило"),
    401: _r("Нужен вход"),
    403: _r("Недостаточно прав"),
    404: _r("Не найдено (в том числе объект другой организации)"),
    409: _r("Конфликт с текущим состоянием"),
    429: _r("Слишком много запросов"),
}


def list_schema(summary: str, serializer, *parameters):
    """The schema of a view set whose one action is a list of `serializer` items."""
    return extend_schema_view(
        list=extend_schema(
            summary=summary, parameters=list(parameters), responses={200: serializer(many=True), **ERRORS}
        )
    )
