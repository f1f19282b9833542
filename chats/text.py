"""What a message's text is like by itself, worked out once when the text is written: its shape (nothing, a link,
only emoji and punctuation, one word, words) and a digest of it normalised (case and spacing ignored), so that
copies of one text can be found by the digest alone.

The statistics count messages that only imitate activity from these two columns with set-based queries, instead
of reading and judging every text again at each count.
"""

import hashlib
import re
import unicodedata

from django.db import models
from django.utils.translation import gettext_lazy as _

_URL = re.compile(r"(https?://|www\.)\S+|\b[\w-]+\.(ru|рф|com|org|net|su)\b", re.IGNORECASE)
# A keycap emoji (1️⃣, #️⃣) is a digit or sign followed by U+20E3: a symbol, not a number.
_KEYCAP = re.compile("[0-9#*]\ufe0f?\u20e3")
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
# Categories a text of only emoji and punctuation consists of: symbols (So, Sk, Sm), marks (variation selectors),
# format characters (the zero-width joiner of sequences), punctuation and spaces. Letters and digits are words.
_NOT_WORDS = {"So", "Sk", "Sm", "Sc", "Mn", "Me", "Cf", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Zs", "Cc"}


class Shape(models.IntegerChoices):
    WORDS = 0, _("текст")
    EMPTY = 1, _("пусто")
    LINK = 2, _("ссылка")
    SYMBOLS = 3, _("только эмодзи и знаки")
    ONE_WORD = 4, _("одно слово")


def normalise(text: str) -> str:
    """The text as compared for copies: case and spacing do not make a copy new."""
    return " ".join(text.casefold().split())


def shape(norm: str) -> Shape:
    """The shape of a normalised text."""
    if not norm:
        return Shape.EMPTY
    if _URL.search(norm):
        return Shape.LINK
    if all(unicodedata.category(ch) in _NOT_WORDS for ch in _KEYCAP.sub("", norm)):
        return Shape.SYMBOLS
    if len(_WORD.findall(norm)) == 1:
        return Shape.ONE_WORD
    return Shape.WORDS


def digest(norm: str) -> int:
    """A signed 64-bit digest of a normalised text, the same in every process and on every server."""
    return int.from_bytes(hashlib.blake2b(norm.encode(), digest_size=8).digest(), "big", signed=True)


def describe(text: str) -> tuple[Shape, int]:
    """(shape, digest) of a text as written."""
    norm = normalise(text)
    return shape(norm), digest(norm)
