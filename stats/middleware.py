import logging

from .services.seen import seen_mark

logger = logging.getLogger(__name__)


class SeenTodayMiddleware:
    """Marks a signed-in person present for the day (see `seen_mark`): after the view, so that an API request
    authenticated by token counts too (DRF sets the user on the request it wraps)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            try:
                seen_mark(user_id=user.pk)
            except Exception:  # noqa: BLE001 - a lost mark must never cost the person their page
                logger.warning("seen mark not written for user %s", user.pk, exc_info=True)
        return response
