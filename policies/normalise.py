"""The text as the content rules read it: one canonical spelling whatever tricks were used to hide a word.

Two views of one text come out: `latin` (every Cyrillic look-alike turned Latin: links, domains and Latin names are
looked for there) and `cyrillic` (every Latin look-alike turned Cyrillic: Russian words). Both are case-folded,
without zero-width and format characters or combining marks, with «ё» as «е», with dots written «t . me»,
«wa(.)me», «t[.]me», «t dot me» joined, with letters typed apart («т е л е г а») joined, and with runs of one
letter squeezed to one («телееегааа» → «телега»); the patterns are squeezed the same way, so double letters of
ordinary words («класс», «whatsapp») still match.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

# Cyrillic letters that look like Latin ones, and back.
_CYR_TO_LAT = str.maketrans("аеорсухкмтвніѕјԁһԛԝ", "aeopcyxkmtbhisjdhqw")
_LAT_TO_CYR = str.maketrans("aeopcyxkmtbhu", "аеорсухкмтвни")
# Digits and signs written for letters inside a word («6ля», «п0рно», «@дмин»).
_DIGIT_TO_CYR = {"0": "о", "3": "з", "6": "б", "@": "а", "$": "с"}
_DIGIT_TO_LAT = {"0": "o", "3": "e", "1": "i", "@": "a", "$": "s"}
_IN_WORD_SIGN = re.compile(r"(?<=[^\W\d_])[0136@$]|[0136@$](?=[^\W\d_])")

_BRACKETED_DOT = re.compile(r"\s*[(\[{<]\s*(?:\.|dot|точка|тчк)\s*[)\]}>]\s*")
_WORD_DOT = re.compile(r"\s+(?:dot|точка|тчк)\s+")
_SPACED_DOT = re.compile(r"(?<=\w)\s*\.\s*(?=\w)")
# Three or more single letters kept apart by spaces or signs: «т е л е г а», «t-e-l-e-g-r-a-m».
_SPACED_LETTERS = re.compile(r"(?<!\w)(?:[^\W\d_][\s.\-_*·,]+){2,}[^\W\d_](?!\w)")
_SEPARATORS = re.compile(r"[\s.\-_*·,]+")
_REPEATS = re.compile(r"([^\W\d_])\1+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Normalised:
    latin: str
    cyrillic: str


def squeeze(text: str) -> str:
    """Runs of one letter as one letter («ссылка» → «сылка»), for the texts and the patterns alike."""
    return _REPEATS.sub(r"\1", text)


# Outside the Basic Multilingual Plane, only these blocks hold format characters and marks worth hiding a word with:
# Egyptian and shorthand format controls, musical formatting, tags and the variation selectors supplement.
_ASTRAL_BLOCKS = ((0x13430, 0x1345F), (0x1BC9D, 0x1BCA3), (0x1D165, 0x1D1AD), (0xE0000, 0xE01EF))


@cache
def _dropped() -> dict[int, None]:
    """Zero-width and other format characters, combining marks (stress, «zalgo») and control characters, as a
    table for str.translate; built once per process (a scan of the BMP and a few astral blocks, some 30 ms)."""
    codes = [*range(0x10000), *(c for a, b in _ASTRAL_BLOCKS for c in range(a, b + 1))]
    return {
        code: None
        for code in codes
        if unicodedata.category(chr(code)) in ("Cf", "Mn", "Me", "Cc") and chr(code) not in "\n\t"
    }


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_dropped())  # «й» survives: NFKC composed it
    text = text.casefold().replace("ё", "е")
    text = _BRACKETED_DOT.sub(".", text)
    text = _WORD_DOT.sub(".", text)
    text = _SPACED_LETTERS.sub(lambda m: _SEPARATORS.sub("", m.group(0)), text)
    return _SPACES.sub(" ", text).strip()


def normalise(text: str) -> Normalised:
    """Both views of the text (see the module's docstring)."""
    base = _clean(text or "")
    latin = _IN_WORD_SIGN.sub(lambda m: _DIGIT_TO_LAT.get(m.group(0), m.group(0)), base).translate(_CYR_TO_LAT)
    latin = _SPACED_DOT.sub(".", latin)
    cyrillic = _IN_WORD_SIGN.sub(lambda m: _DIGIT_TO_CYR.get(m.group(0), m.group(0)), base).translate(_LAT_TO_CYR)
    return Normalised(latin=squeeze(latin), cyrillic=squeeze(cyrillic))


def normalise_form(form: str) -> str:
    """A pattern word (a service's name form, a root) spelled as the texts are: folded, «ё» as «е», squeezed."""
    return squeeze(unicodedata.normalize("NFKC", form).casefold().replace("ё", "е").strip())
