"""One hierarchy for domain rule failures.

Services raise these; the API's exception handler turns them into the single
JSON error shape and the browser views into a message on the page.
"""


class PortalError(Exception):
    status = 400
    code = "invalid"
    default_message = "Запрос не может быть выполнен."

    def __init__(self, message: str | None = None, *, code: str | None = None, fields: dict | None = None):
        self.message = message or self.default_message
        if code:
            self.code = code
        self.fields = fields or {}
        super().__init__(self.message)


class RuleViolation(PortalError):
    status = 400
    code = "rule_violation"


class PermissionDenied(PortalError):
    status = 403
    code = "permission_denied"
    default_message = "Недостаточно прав для этого действия."


class NotFound(PortalError):
    status = 404
    code = "not_found"
    default_message = "Не найдено."


class Conflict(PortalError):
    status = 409
    code = "conflict"


class Gone(PortalError):
    status = 410
    code = "gone"


class RateLimited(PortalError):
    status = 429
    code = "rate_limited"
    default_message = "Слишком много попыток. Повторите позже."


class LimiterUnavailable(RateLimited):
    """The counter of tries cannot be reached, so a limit against guessing refuses rather than lets through."""

    status = 503
    code = "limiter_unavailable"
    default_message = (
        "Сейчас нельзя проверить число попыток, поэтому вход и проверка кодов и ссылок временно закрыты. "
        "Повторите через несколько минут."
    )
