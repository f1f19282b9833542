"""Checks for uploaded files: the content decides the type, not the name."""

import filetype
from django.conf import settings
from django.utils.translation import gettext as _

from portal.exceptions import RuleViolation

ORDER_TYPES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}


def validate_order_file(upload) -> None:
    if upload is None:
        raise RuleViolation(
            _("Приложите приказ о назначении администратора."),
            code="file_required",
            fields={"order_file": [_("Обязательное поле.")]},
        )
    limit = settings.REGISTRATION_ORDER_MAX_BYTES
    if upload.size > limit:
        raise RuleViolation(
            _("Файл слишком большой: не более %(size)s МБ.") % {"size": limit // (1024 * 1024)},
            code="file_too_large",
            fields={"order_file": [_("Файл слишком большой.")]},
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ORDER_TYPES:
        raise RuleViolation(
            _("Приказ должен быть файлом PDF, JPEG или PNG."),
            code="file_type",
            fields={"order_file": [_("Допустимы PDF, JPEG или PNG.")]},
        )
