"""The content check itself: a rule set compiled once (the organisation's forbidden services, the project's profanity
roots) and a verdict for a text. Pure: no database here (policies.services.content fetches and caches rule sets).

A text is refused when it links to a forbidden service (its domain or a subdomain, however the dots are written),
when it names a service next to a call to go there («пишите в телегу», «добавляйтесь в вотсап»), or when it holds
profanity; a bare mention of a service is allowed but flagged for the moderators.
"""

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

from . import wordlists
from .normalise import normalise, normalise_form

ALLOWED, FLAGGED, REFUSED = "allowed", "flagged", "refused"
FORBIDDEN_SERVICE, PROFANITY = "forbidden_service", "profanity"
LINK, CALL, MENTION = "link", "call", "mention"

_WORD = re.compile(r"\w+")
_LETTERS = re.compile(r"[^\W\d_]+")
_CYRILLIC = re.compile(r"[а-я]")
_HANDLE = re.compile(r"(?<![\w.])@[a-z][a-z0-9_]{3,}")
_PHONE = re.compile(r"(?<!\d)(?:\+?\d[\s\-()]*){10,12}(?!\d)")
# A form matches at the start of a word with an ending of at most two letters («вотсапе», «телегой»).
_ENDING = r"[^\W\d_]{0,2}(?!\w)"
_ENDING_LETTERS = "аяоеыиуьй"


@dataclass(frozen=True)
class Verdict:
    """What the rules say about a text: allowed, flagged (allowed, shown to moderators) or refused, and why."""

    outcome: str = ALLOWED
    rule: str = ""  # FORBIDDEN_SERVICE or PROFANITY
    service: str = ""  # the forbidden service's name
    evidence: str = ""  # LINK, CALL or MENTION for a service; empty for profanity

    @property
    def refused(self) -> bool:
        return self.outcome == REFUSED

    @property
    def flagged(self) -> bool:
        return self.outcome == FLAGGED


@dataclass(frozen=True)
class _Service:
    name: str
    domains: re.Pattern | None
    cyrillic: re.Pattern | None
    latin: re.Pattern | None


@dataclass(frozen=True)
class CompiledRules:
    services: tuple[_Service, ...] = field(default_factory=tuple)


def _domain_pattern(domains: Iterable[str]) -> re.Pattern | None:
    parts = []
    for raw in domains:
        domain = normalise_form(raw)
        domain = re.sub(r"^(?:https?:)?//|^www\.", "", domain).rstrip("/")
        if not domain:
            continue
        # «_» separates words in file names («t.me_class.txt»), so it ends a domain as a space would.
        tail = r"(?![^\W_]|-)" if domain[-1].isalnum() else ""
        parts.append(re.escape(domain) + tail)
    if not parts:
        return None
    alternatives = "|".join(sorted(set(parts), key=len, reverse=True))
    return re.compile(r"(?<![^\W_])(?<!-)(?:[a-z0-9-]+\.)*(?:" + alternatives + ")")


def _forms_pattern(forms: list[str], *, cyrillic: bool) -> re.Pattern | None:
    if not forms:
        return None
    alternatives = []
    for form in sorted(set(forms), key=len, reverse=True):
        words = [re.escape(w) for w in form.split()]
        body = r"\W+".join(words)
        if len(form) <= 3:
            alternatives.append(rf"(?<!\w){body}(?!\w)")
        elif cyrillic and len(form) >= 5:
            # A Russian form declines: «аська» → «аську», «телега» → «телегой»; the ending of the form given goes.
            # «втелегу», «вотсапе»: a preposition glued to the name.
            if form[-1] in _ENDING_LETTERS and " " not in form:
                body = re.escape(form[:-1])
            alternatives.append(rf"(?<!\w)(?:в|во)?{body}{_ENDING}")
        else:
            alternatives.append(rf"(?<!\w){body}{_ENDING}")
    return re.compile("|".join(alternatives))


def compile_rules(services: Iterable) -> CompiledRules:
    """Compile the enabled services (objects or dicts with name, domains, name_forms, enabled) once."""
    compiled = []
    for service in services:

        def get(key, default=None, service=service):
            return service.get(key, default) if isinstance(service, dict) else getattr(service, key, default)

        if not get("enabled", True):
            continue
        forms = [normalise_form(f) for f in get("name_forms", []) or [] if f and f.strip()]
        compiled.append(
            _Service(
                name=get("name"),
                domains=_domain_pattern(get("domains", []) or []),
                cyrillic=_forms_pattern([f for f in forms if _CYRILLIC.search(f)], cyrillic=True),
                latin=_forms_pattern([f for f in forms if not _CYRILLIC.search(f)], cyrillic=False),
            )
        )
    return CompiledRules(services=tuple(compiled))


def _profanity_pattern(patterns: list[str]) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


_PROFANE_CYRILLIC = _profanity_pattern(wordlists.PROFANITY_CYRILLIC)
_PROFANE_LATIN = _profanity_pattern(wordlists.PROFANITY_LATIN)
_EXCEPTIONS = tuple(sorted({normalise_form(w) for w in wordlists.PROFANITY_EXCEPTIONS}))
_CALLS = frozenset(normalise_form(w) for w in wordlists.CALL_WORDS)
_WEAK_CALLS = frozenset(normalise_form(w) for w in wordlists.WEAK_CALL_WORDS)
_DIRECTIONS = frozenset(wordlists.DIRECTION_WORDS)


def _is_profane(word: str, pattern: re.Pattern) -> bool:
    return not word.startswith(_EXCEPTIONS) and pattern.search(word) is not None


def has_profanity(latin: str, cyrillic: str) -> bool:
    """Whether a word of either view is profane and not one of the exceptions."""
    if any(_is_profane(w, _PROFANE_CYRILLIC) for w in set(_LETTERS.findall(cyrillic))):
        return True
    return any(_is_profane(w, _PROFANE_LATIN) for w in set(_LETTERS.findall(latin)))


def _word_index(starts: list[int], offset: int) -> int:
    return bisect_right(starts, offset) - 1


def _called_to(mention: int, cyr_words: list[str], lat_words: list[str], has_contact: bool) -> bool:
    """Whether the mention (a word index) stands next to a call to go there."""
    if has_contact:
        return True
    window = wordlists.CALL_WINDOW
    for i in range(max(0, mention - window), min(len(cyr_words), mention + window + 1)):
        word = cyr_words[i]
        if word in _WEAK_CALLS:
            # «давайте в телегу», «скину в вотсап»: only with a direction right before the name.
            if i < mention <= i + 3 and any(w in _DIRECTIONS for w in cyr_words[i + 1 : mention]):
                return True
        elif word in _CALLS or lat_words[i] in _CALLS:
            return True
    return False


def check(rules: CompiledRules, text: str) -> Verdict:
    """The verdict of the rules on one text."""
    if not text or not text.strip():
        return Verdict()
    views = normalise(text)
    for service in rules.services:
        if service.domains is not None and service.domains.search(views.latin):
            return Verdict(REFUSED, FORBIDDEN_SERVICE, service.name, LINK)
    if has_profanity(views.latin, views.cyrillic):
        return Verdict(REFUSED, PROFANITY)
    mentioned = None
    cyr_starts = lat_starts = None
    for service in rules.services:
        for view, pattern in ((views.cyrillic, service.cyrillic), (views.latin, service.latin)):
            if pattern is None:
                continue
            for match in pattern.finditer(view):
                if cyr_starts is None:
                    cyr_words = [m.group(0) for m in _WORD.finditer(views.cyrillic)]
                    lat_words = [m.group(0) for m in _WORD.finditer(views.latin)]
                    cyr_starts = [m.start() for m in _WORD.finditer(views.cyrillic)]
                    lat_starts = [m.start() for m in _WORD.finditer(views.latin)]
                    has_contact = bool(_HANDLE.search(views.latin) or _PHONE.search(views.latin))
                    if len(cyr_words) != len(lat_words):  # never expected; keep the windows aligned anyway
                        lat_words = cyr_words
                starts = cyr_starts if view is views.cyrillic else lat_starts
                index = _word_index(starts, match.start())
                if _called_to(index, cyr_words, lat_words, has_contact):
                    return Verdict(REFUSED, FORBIDDEN_SERVICE, service.name, CALL)
                mentioned = mentioned or service.name
    if mentioned:
        return Verdict(FLAGGED, FORBIDDEN_SERVICE, mentioned, MENTION)
    return Verdict()
