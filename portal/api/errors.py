"""One JSON error shape for the whole API: {"error": {"code", "message", "fields"}}."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from portal.exceptions import PortalError

DRF_MESSAGES = {
    exceptions.NotAuthenticated: "Войдите в систему.",
    exceptions.AuthenticationFailed: "Неверные данные для входа.",
    exceptions.PermissionDenied: "Недостаточно прав для этого действия.",
    exceptions.NotFound: "Не найдено.",
    exceptions.MethodNotAllowed: "Метод не поддерживается.",
    exceptions.NotAcceptable: "Запрошенный формат ответа не поддерживается.",
    exceptions.UnsupportedMediaType: "Неподдерживаемый формат данных запроса.",
    exceptions.ParseError: "Тело запроса не удалось разобрать.",
    exceptions.Throttled: "Слишком много запросов. Повторите позже.",
    exceptions.ValidationError: "Проверьте введённые данные.",
}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _flatten(detail):
    if isinstance(detail, dict):
        return {str(k): _flatten(v) for k, v in detail.items()}
    if isinstance(detail, list):
        flat = []
        for item in detail:
            value = _flatten(item)
            flat.extend(value if isinstance(value, list) else [value])
        return flat
    return [str(detail)]


def exception_handler(exc, context):
    if isinstance(exc, PortalError):
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        message = "; ".join(exc.messages) or DRF_MESSAGES[exceptions.ValidationError]
        return Response(error_body("invalid", message, fields), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    message = next((m for cls, m in DRF_MESSAGES.items() if isinstance(exc, cls)), "Запрос не выполнен.")
    fields = {}
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        if isinstance(fields, list):
            fields = {"non_field_errors": fields}
        first = next(iter(fields.values()), [])
        if first:
            message = f"{DRF_MESSAGES[exceptions.ValidationError]} {first[0]}"
    code = exc.default_code if isinstance(exc.default_code, str) else "error"
    headers = {}
    if isinstance(exc, exceptions.Throttled) and exc.wait:
        headers["Retry-After"] = str(int(exc.wait))
        message = f"Слишком много запросов. Повторите через {int(exc.wait)} с."
    return Response(error_body(code, message, fields), status=exc.status_code, headers=headers)
