"""One hierarchy for domain rule failures.

Services raise these; the API's exception handler turns them into the single
JSON error shape and the browser views into a message on the page.
"""

from django.utils.translation import gettext_lazy


class PortalError(Exception):
    status = 400
    code = "invalid"
    default_message = gettext_lazy("Запрос не может быть выполнен.")

    def __init__(self, message: str | None = None, *, code: str | None = None, fields: dict | None = None):
        # A lazy message (the class's default or a module-level gettext_lazy) is read in the language of the request
        # that raised it, and from then on is a plain string: serialised as JSON and compared by tests as such.
        self.message = str(message or self.default_message)
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
    default_message = gettext_lazy("Недостаточно прав для этого действия.")


class NotFound(PortalError):
    status = 404
    code = "not_found"
    default_message = gettext_lazy("Не найдено.")


class Conflict(PortalError):
    status = 409
    code = "conflict"


class Gone(PortalError):
    status = 410
    code = "gone"


class RateLimited(PortalError):
    status = 429
    code = "rate_limited"
    default_message = gettext_lazy("Слишком много попыток. Повторите позже.")


class StorageFull(PortalError):
    """The server's disk (or the quota of the media folder) is full: the file was not stored."""

    status = 507
    code = "storage_full"
    default_message = gettext_lazy(
        "Файл не сохранён: на сервере закончилось место. Ничего не отправлено; повторите попытку позже "
        "или сообщите администратору портала."
    )


class StorageUnavailable(PortalError):
    """The folder of uploaded files cannot be written (read-only, no permission, I/O error)."""

    status = 503
    code = "storage_unavailable"
    default_message = gettext_lazy(
        "Файл не сохранён: хранилище файлов на сервере недоступно. Ничего не отправлено; повторите попытку "
        "позже или сообщите администратору портала."
    )


class LimiterUnavailable(RateLimited):
    """The counter of tries cannot be reached, so a limit against guessing refuses rather than lets through."""

    status = 503
    code = "limiter_unavailable"
    default_message = gettext_lazy(
        "Сейчас нельзя проверить число попыток, поэтому вход и проверка кодов и ссылок временно закрыты. "
        "Повторите через несколько минут."
    )
