"""A service that does not answer is a 503, not a 500 traceback.

A database that does not answer (restarting, failing over, out of connections):

The page and the JSON are built without touching the database: no session, no user, no context processors.
Django drops the broken connection at the end of the request (CONN_HEALTH_CHECKS checks a reused one before the
next), so the portal recovers by itself as soon as the database is back.
"""

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 10
MESSAGE = "Портал временно недоступен: нет связи с базой данных. Повторите попытку через несколько секунд."
DATABASE_ERRORS = (OperationalError, InterfaceError)
try:
    from redis.exceptions import RedisError as CACHE_ERRORS
except ImportError:  # a portal without Redis: nothing to catch
    CACHE_ERRORS = ()


def database_unavailable(request) -> HttpResponse:
    """The 503 answer: the API's error shape under /api/, a standalone Russian page elsewhere; both with
    Retry-After."""
    if request.path.startswith("/api/"):
        body = {"error": {"code": "database_unavailable", "message": MESSAGE, "fields": {}}}
        response = JsonResponse(body, status=503)
    else:
        html = render_to_string(
            "unavailable.html",
            # A GET is safe to repeat: the page reloads itself; a form sent with POST is not resent behind the
            # person's back.
            {"message": MESSAGE, "retry": RETRY_AFTER_SECONDS, "reload": request.method in ("GET", "HEAD")},
        )
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class OutageMiddleware:
    """Turns a lost database or cache raised by a view into a 503.

    The database: the answer above. The cache (Redis): ordinary pages and the API do not touch it and keep
    working; the guards against guessing count tries in it and refuse on their own (portal.ratelimit), and
    whatever else reaches for it gets the 503 page instead of a 500. Each request tries again, so nothing needs a
    restart when the service returns. Failures outside views (a middleware loading the session) reach
    handler500, which answers the same way for the database.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            logger.error("Database unavailable on %s %s: %s", request.method, request.path, exception)
            return database_unavailable(request)
        if CACHE_ERRORS and isinstance(exception, CACHE_ERRORS):
            logger.warning("Cache unavailable on %s %s: %s", request.method, request.path, exception)
            from .views import service_unavailable

            return service_unavailable(request)
        return None
