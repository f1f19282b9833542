"""Request body parsers of the API: every body is bounded in size and shape before it is parsed.

DRF's own parsers read a JSON or form body of any size (up to DATA_UPLOAD_MAX_MEMORY_SIZE) before looking at it,
and give JSON of any depth to json.loads, whose recursion then fails with a 500. These parsers refuse, in the one
error shape:

- a body over the endpoint's limit: 413, judged by the announced Content-Length before a byte is read and by what
  is read (never more than the limit and one byte);
- JSON nested deeper than MAX_DEPTH, a number of more than MAX_NUMBER_LENGTH digits or out of range, a key
  repeated in one object, bytes that are not UTF-8, text that is not JSON: 400;
- a form with more fields or files than Django allows (DATA_UPLOAD_MAX_NUMBER_FIELDS, _FILES): 400.

Limits: a view may set `body_max_bytes` (JSON and form bodies) and `upload_max_bytes` (multipart bodies, files
included); both default to settings.API_BODY_MAX_BYTES.
"""

import json
import math
import re
from array import array
from itertools import accumulate

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import QueryDict
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

MAX_DEPTH = 32  # the API's bodies nest three levels at most; 32 leaves room and stays far from recursion limits
MAX_NUMBER_LENGTH = 50  # digits in a row; an id has 19, and int() of thousands of digits is slow or refused

# The checks below run on the UTF-8 bytes with regex, translate and accumulate, without a Python loop over the
# body; strings are cut out first, so that a bracket or a digit inside a string does not count. A JSON string
# also matches unterminated (to the end of the body), so that a match never fails and backtracks: one pass.
_STRING = re.compile(rb'"[^"\\]*(?:\\[\s\S][^"\\]*)*(?:"|\\?\Z)')
_STEPS = bytes.maketrans(b"[{]}", b"\x01\x01\xff\xff")  # +1 and -1 as signed bytes
_NOT_BRACKET = bytes(sorted(set(range(256)) - set(b"[]{}")))
_LONG_NUMBER = re.compile(rb"[0-9]{%d}" % (MAX_NUMBER_LENGTH + 1))
_BIG_EXPONENT = re.compile(rb"[eE][+-]?[0-9]{3}")  # only such a number can overflow to infinity


class BodyRejected(exceptions.ParseError):
    """A body the parsers refuse; its detail is the message the person reads."""


class BodyTooLarge(BodyRejected):
    status_code = 413
    default_code = "too_large"


def _limit(parser_context: dict, attribute: str) -> int:
    limit = getattr(parser_context.get("view"), attribute, None)
    return settings.API_BODY_MAX_BYTES if limit is None else limit


def _too_large(limit: int) -> BodyTooLarge:
    return BodyTooLarge(
        _("Запрос слишком большой: сюда можно отправить не больше %(size)s.") % {"size": filesizeformat(limit)}
    )


def _refuse_announced(parser_context: dict, limit: int) -> None:
    """Refuses a body whose announced length is over the limit, before reading any of it."""
    try:
        announced = int(parser_context["request"].META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        announced = 0
    if announced > limit:
        raise _too_large(limit)


def read_bounded(stream, parser_context: dict, attribute: str) -> bytes:
    """The whole body, if it is within the view's limit; otherwise 413, having read at most one byte over it."""
    limit = _limit(parser_context, attribute)
    _refuse_announced(parser_context, limit)
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise _too_large(limit)
    return data


def _without_strings(data: bytes) -> bytes:
    return _STRING.sub(b"", data) if b'"' in data else data


def _depth(structure: bytes) -> int:
    """How deep arrays and objects nest in a body without strings: the most brackets open at once."""
    steps = array("b", structure.translate(_STEPS, _NOT_BRACKET))
    return max(accumulate(steps), default=0)


def _float(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise BodyRejected(_("Число вне допустимого диапазона."))
    return value


def _constant(name: str):
    raise BodyRejected(_("Значение %(name)s в JSON не допускается.") % {"name": name})


def _object(pairs: list[tuple[str, object]]) -> dict:
    obj = dict(pairs)
    if len(obj) < len(pairs):
        seen = set()
        for key, _value in pairs:
            if key in seen:
                raise BodyRejected(_("Поле «%(field)s» указано в запросе дважды.") % {"field": key[:50]})
            seen.add(key)
    return obj


def loads(data: bytes):
    """JSON of a request body, or BodyRejected saying what is wrong with it."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyRejected(_("Тело запроса должно быть в кодировке UTF-8.")) from None
    structure = None  # the body without its strings, cut only when a check needs it
    if data.count(b"[") + data.count(b"{") > MAX_DEPTH:
        structure = _without_strings(data)
        if _depth(structure) > MAX_DEPTH:
            raise BodyRejected(
                _("Слишком глубокая вложенность данных: не больше %(depth)s уровней.") % {"depth": MAX_DEPTH}
            )
    if _LONG_NUMBER.search(data) and _LONG_NUMBER.search(structure or _without_strings(data)):
        raise BodyRejected(_("Слишком длинное число: не больше %(digits)s цифр.") % {"digits": MAX_NUMBER_LENGTH})
    parse_float = _float if _BIG_EXPONENT.search(data) else float
    try:
        return json.loads(text, parse_float=parse_float, parse_constant=_constant, object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        raise BodyRejected(
            _("Тело запроса — не JSON: ошибка в строке %(lineno)s, позиция %(colno)s.")
            % {"lineno": exc.lineno, "colno": exc.colno}
        ) from None


def _too_many(exc: Exception) -> BodyRejected:
    if isinstance(exc, TooManyFilesSent):
        return BodyRejected(
            _("Слишком много файлов в запросе: не больше %(count)s.") % {"count": settings.DATA_UPLOAD_MAX_NUMBER_FILES}
        )
    return BodyRejected(
        _("Слишком много полей в запросе: не больше %(count)s.") % {"count": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}
    )


# Not subclasses of DRF's JSONParser and FormParser: DRF reads the whole body into memory for those before they run.
class JSONParser(parsers.BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        return loads(read_bounded(stream, parser_context, "body_max_bytes"))


class FormParser(parsers.BaseParser):
    media_type = "application/x-www-form-urlencoded"

    def parse(self, stream, media_type=None, parser_context=None):
        data = read_bounded(stream, parser_context, "body_max_bytes")
        try:
            return QueryDict(data, encoding=parser_context.get("encoding") or settings.DEFAULT_CHARSET)
        except TooManyFieldsSent as exc:
            raise _too_many(exc) from None


class MultiPartParser(parsers.MultiPartParser):
    """Django's multipart parser (files stream to disk) behind the view's limit on the whole body."""

    def parse(self, stream, media_type=None, parser_context=None):
        _refuse_announced(parser_context, _limit(parser_context, "upload_max_bytes"))
        try:
            return super().parse(stream, media_type, parser_context)
        except (TooManyFieldsSent, TooManyFilesSent) as exc:
            raise _too_many(exc) from None
        except RequestDataTooBig:
            raise _too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE) from None
