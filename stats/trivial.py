"""Which messages only imitate activity: emoji or stickers alone, a single word, the same text again.

They are counted apart, not dropped: the dashboard shows how much of the traffic they are. What a text is like by
itself is stored with the message (`chats.text`); here the shape becomes a reason, and a copy of the author's
text of the previous 24 hours is a repeat.
"""

from collections.abc import Iterable

from chats.text import Shape, normalise, shape

EMOJI = "emoji"
ONE_WORD = "one_word"
REPEAT = "repeat"
REASONS = (EMOJI, ONE_WORD, REPEAT)

# The reason of each shape when the text is not a repeat (a link alone shares something).
SHAPE_REASONS = {Shape.EMPTY: EMOJI, Shape.SYMBOLS: EMOJI, Shape.ONE_WORD: ONE_WORD}


def triviality(
    text: str, *, has_attachments: bool = False, has_poll: bool = False, recent_texts: Iterable[str] = ()
) -> str | None:
    """The reason a message is trivial (EMOJI, ONE_WORD, REPEAT), or None for a real message.

    `recent_texts` are the author's own texts of the previous 24 hours. A file, a photo or a poll is content
    whatever its caption says; an empty text is never a repeat; a link alone shares something, unless it is the
    same link again.
    """
    if has_attachments or has_poll:
        return None
    norm = normalise(text)
    kind = shape(norm)
    if kind != Shape.EMPTY and norm in {normalise(t) for t in recent_texts}:
        return REPEAT
    return SHAPE_REASONS.get(kind)


def is_trivial(
    text: str, *, has_attachments: bool = False, has_poll: bool = False, recent_texts: Iterable[str] = ()
) -> bool:
    """True when the message only imitates activity (see `triviality`)."""
    return triviality(text, has_attachments=has_attachments, has_poll=has_poll, recent_texts=recent_texts) is not None
