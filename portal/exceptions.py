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


class StorageFull(PortalError):
    """The server's disk (or the quota of the media folder) is full: the file was not stored."""

    status = 507
    code = "storage_full"
    default_message = (
        "Файл не сохранён: на сервере закончилось место. Ничего не отправлено; повторите попытку позже "
        "или сообщите администратору портала."
    )


class StorageUnavailable(PortalError):
    """The folder of uploaded files cannot be written (read-only, no permission, I/O error)."""

    status = 503
    code = "storage_unavailable"
    default_message = (
        "Файл не сохранён: хранилище файлов на сервере недоступно. Ничего не отправлено; повторите попытку "
        "позже или сообщите администратору портала."
    )


class LimiterUnavailable(RateLimited):
    """The counter of tries cannot be reached, so a limit against guessing refuses rather than lets through."""

    status = 503
    code = "limiter_unavailable"
    default_message = (
        "Сейчас нельзя проверить число попыток, поэтому вход и проверка кодов и ссылок временно закрыты. "
        "Повторите через несколько минут."
    )
