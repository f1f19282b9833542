"""Error pages in Russian, as JSON for the API and as HTML for the browser."""

import sys

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.outage import DATABASE_ERRORS, database_unavailable

MESSAGES = {
    400: ("bad_request", gettext_lazy("Некорректный запрос.")),
    403: ("permission_denied", gettext_lazy("Недостаточно прав для этого действия.")),
    404: ("not_found", gettext_lazy("Страница не найдена.")),
    500: ("server_error", gettext_lazy("Внутренняя ошибка сервера. Мы уже знаем о ней.")),
    503: (
        "service_unavailable",
        gettext_lazy("Эта часть портала временно недоступна. Повторите через несколько минут."),
    ),
}


def _error(request, status, code=None, message=None):
    default_code, default_message = MESSAGES.get(status, MESSAGES[400])
    code, message = code or default_code, str(message or default_message)
    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": code, "message": message, "fields": {}}}, status=status)
    return render(request, "error.html", {"status": status, "message": message}, status=status)


def bad_request(request, exception=None):
    # Django refuses a form body over its limits (DATA_UPLOAD_MAX_*) before any view runs: say which limit.
    if isinstance(exception, RequestDataTooBig):
        limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        message = _("Слишком большой запрос: в форме можно отправить не больше %(limit)s текста. Сократите его.") % {
            "limit": limit
        }
        return _error(request, 413, "too_large", message)
    if isinstance(exception, TooManyFieldsSent | TooManyFilesSent):
        message = _("Слишком много полей или файлов в форме: не больше %(fields)s полей и %(files)s файлов.") % {
            "fields": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
            "files": settings.DATA_UPLOAD_MAX_NUMBER_FILES,
        }
        return _error(request, 400, "too_many_fields", message)
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
