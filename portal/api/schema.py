"""Shared OpenAPI pieces: the error shape and the usual error responses."""

from drf_spectacular.utils import OpenApiResponse, inline_serializer
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
