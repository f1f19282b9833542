"""One JSON error shape for the whole API: {"error": {"code", "message", "fields"}}."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings

from portal.api.parsers import BodyRejected
from portal.exceptions import PortalError

DRF_MESSAGES = {
    exceptions.NotAuthenticated: gettext_lazy("Войдите в систему."),
    exceptions.AuthenticationFailed: gettext_lazy("Неверные данные для входа."),
    exceptions.PermissionDenied: gettext_lazy("Недостаточно прав для этого действия."),
    exceptions.NotFound: gettext_lazy("Не найдено."),
    exceptions.MethodNotAllowed: gettext_lazy("Метод не поддерживается."),
    exceptions.NotAcceptable: gettext_lazy("Запрошенный формат ответа не поддерживается."),
    exceptions.UnsupportedMediaType: gettext_lazy("Неподдерживаемый формат данных запроса."),
    exceptions.ParseError: gettext_lazy("Тело запроса не удалось разобрать."),
    exceptions.Throttled: gettext_lazy("Слишком много запросов. Повторите позже."),
    exceptions.ValidationError: gettext_lazy("Проверьте введённые данные."),
}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


def _flatten(detail) -> dict[str, list[str]]:
    """DRF error details of any nesting as {"field" or "field.0.sub": ["message", ...]}.

    Nested serializers give dicts, ListField items dicts keyed by index, many=True serializers lists of
    dicts (one per item, empty where the item is fine); errors not tied to a field go to «non_field_errors».
    """
    fields: dict[str, list[str]] = {}

    def walk(value, key: str) -> None:
        if isinstance(value, dict):
            for name, inner in value.items():
                walk(inner, f"{key}.{name}" if key else str(name))
        elif isinstance(value, list | tuple):
            for index, item in enumerate(value):
                if isinstance(item, dict | list | tuple):
                    walk(item, f"{key}.{index}" if key else str(index))
                else:
                    walk(item, key)
        else:
            fields.setdefault(key or api_settings.NON_FIELD_ERRORS_KEY, []).append(str(value))

    walk(detail, "")
    return fields


def exception_handler(exc, context):
    if isinstance(exc, PortalError):
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        message = "; ".join(exc.messages) or str(DRF_MESSAGES[exceptions.ValidationError])
        return Response(error_body("invalid", message, fields), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        return None
    message = str(next((m for cls, m in DRF_MESSAGES.items() if isinstance(exc, cls)), _("Запрос не выполнен.")))
    if isinstance(exc, BodyRejected):
        message = str(exc.detail)
    fields = {}
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        first = next((messages[0] for messages in fields.values() if messages), None)
        if first:
            message = f"{DRF_MESSAGES[exceptions.ValidationError]} {first}"
    code = exc.default_code if isinstance(exc.default_code, str) else "error"
    headers = {}
    if isinstance(exc, exceptions.Throttled) and exc.wait:
        headers["Retry-After"] = str(int(exc.wait))
        message = _("Слишком много запросов. Повторите через %(seconds)s с.") % {"seconds": int(exc.wait)}
    return Response(error_body(code, message, fields), status=exc.status_code, headers=headers)
