"""Error pages in Russian, as JSON for the API and as HTML for the browser."""

import sys

from django.http import JsonResponse
from django.shortcuts import render

from portal.outage import DATABASE_ERRORS, database_unavailable

MESSAGES = {
    400: ("bad_request", "Некорректный запрос."),
    403: ("permission_denied", "Недостаточно прав для этого действия."),
    404: ("not_found", "Страница не найдена."),
    500: ("server_error", "Внутренняя ошибка сервера. Мы уже знаем о ней."),
    503: (
        "service_unavailable",
        "Проверка попыток входа и ссылок временно недоступна. Повторите через несколько минут.",
    ),
}


def _error(request, status):
    code, message = MESSAGES[status]
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": code, "message": message, "fields": {}}}, status=status)
    return render(request, "error.html", {"status": status, "message": message}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400)


def permission_denied(request, exception=None):
    return _error(request, 403)


def page_not_found(request, exception=None):
    return _error(request, 404)


def server_error(request):
    # Django calls this inside its `except`: a lost database (in a middleware, say) is a 503 built without it.
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return database_unavailable(request)
    return _error(request, 500)


def service_unavailable(request):
    return _error(request, 503)
