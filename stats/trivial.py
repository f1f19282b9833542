"""Which messages only imitate activity: emoji or stickers alone, a single word, the same text again.

They are counted apart, not dropped: the dashboard shows how much of the traffic they are.
"""

import functools
import re
import unicodedata
from collections.abc import Container, Iterable

EMOJI = "emoji"
ONE_WORD = "one_word"
REPEAT = "repeat"
REASONS = (EMOJI, ONE_WORD, REPEAT)

_URL = re.compile(r"(https?://|www\.)\S+|\b[\w-]+\.(ru|рф|com|org|net|su)\b", re.IGNORECASE)
# A keycap emoji (1️⃣, #️⃣) is a digit or sign followed by U+20E3: a symbol, not a number.
_KEYCAP = re.compile("[0-9#*]\ufe0f?\u20e3")
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")
# Categories a text of only emoji and punctuation consists of: symbols (So, Sk, Sm), marks (variation selectors),
# format characters (the zero-width joiner of sequences), punctuation and spaces. Letters and digits are words.
_NOT_WORDS = {"So", "Sk", "Sm", "Sc", "Mn", "Me", "Cf", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Zs", "Cc"}


def normalise(text: str) -> str:
    """The text as compared for repeats: case and spacing do not make a copy new."""
    return " ".join(text.casefold().split())


def _only_symbols(text: str) -> bool:
    return all(unicodedata.category(ch) in _NOT_WORDS for ch in text)


def triviality(
    text: str, *, has_attachments: bool = False, has_poll: bool = False, recent_texts: Iterable[str] = ()
) -> str | None:
    """The reason a message is trivial (EMOJI, ONE_WORD, REPEAT), or None for a real message.

    `recent_texts` are the author's own texts of the previous 24 hours. A file, a photo or a poll is content
    whatever its caption says; a link alone shares something, unless it is the same link again.
    """
    if has_attachments or has_poll:
        return None
    return judge(normalise(text), {normalise(t) for t in recent_texts})


def judge(norm: str, recent: Container[str]) -> str | None:
    """`triviality` of a text without files or a poll, already normalised, against the normalised texts of the
    author's previous 24 hours (any container: a counter kept along a day's messages does)."""
    if not norm:
        return EMOJI
    if norm in recent:
        return REPEAT
    return _shape(norm)


@functools.lru_cache(maxsize=65536)
def _shape(norm: str) -> str | None:
    """What a text is like by itself (common ones — «спасибо», «👍» — are judged once)."""
    if _URL.search(norm):
        return None
    if _only_symbols(_KEYCAP.sub("", norm)):
        return EMOJI
    if len(_WORD.findall(norm)) == 1:
        return ONE_WORD
    return None


def is_trivial(
    text: str, *, has_attachments: bool = False, has_poll: bool = False, recent_texts: Iterable[str] = ()
) -> bool:
    """True when the message only imitates activity (see `triviality`)."""
    return triviality(text, has_attachments=has_attachments, has_poll=has_poll, recent_texts=recent_texts) is not None
