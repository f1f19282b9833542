import logging

from django.contrib.auth import logout
from django.db import DatabaseError

from .sessions import session_touch

logger = logging.getLogger("portal.accounts")


class SessionTrackingMiddleware:
    """Marks the signed-in browser session seen (at most once every few minutes, see `session_touch`) and signs out
    a session whose row says it was ended."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        alive = True
        try:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and getattr(request, "session", None) is not None:
                alive = session_touch(request)
        except DatabaseError:
            # A lost mark must not cost the person their page; a dead database fails the view itself, inside the
            # outage middleware that answers it with a 503.
            logger.warning("session not marked", exc_info=True)
        if not alive:
            logout(request)
        return self.get_response(request)
