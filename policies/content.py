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
    phrases: re.Pattern | None  # forms of several words («microsoft teams»), over either view


@dataclass(frozen=True)
class CompiledRules:
    services: tuple[_Service, ...] = field(default_factory=tuple)
    # One-word forms, looked up word by word (a dictionary look-up per word, not a regex per service):
    # short forms as whole words, longer ones as stems with an ending of at most two letters, and stems that may
    # carry a glued preposition («втелегу»). Cyrillic forms against the Cyrillic view, Latin against the Latin.
    exact: dict = field(default_factory=dict)
    stems: dict = field(default_factory=dict)
    glued: dict = field(default_factory=dict)
    # Every service's domains in one pattern, a named group per service («s0», «s1»…): one pass over the text.
    domains: re.Pattern | None = None
    phrase_words: frozenset = frozenset()


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
    # Not after a letter, a digit or «-»: a subdomain («chat.whatsapp.com») matches after its dot.
    alternatives = "|".join(sorted(set(parts), key=len, reverse=True))
    return re.compile(r"(?<![^\W_])(?<!-)(?:" + alternatives + ")")


def _stem(form: str) -> str:
    """A Russian form declines: «аська» → «аську», «телега» → «телегой»; the ending of the form given goes."""
    if _CYRILLIC.search(form) and len(form) >= 5 and form[-1] in _ENDING_LETTERS:
        return form[:-1]
    return form


def compile_rules(services: Iterable) -> CompiledRules:
    """Compile the enabled services (objects or dicts with name, domains, name_forms, enabled) once."""
    compiled, exact, stems, glued, first_words = [], {}, {}, {}, set()
    for service in services:

        def get(key, default=None, service=service):
            return service.get(key, default) if isinstance(service, dict) else getattr(service, key, default)

        if not get("enabled", True):
            continue
        name = get("name")
        forms = [normalise_form(f) for f in get("name_forms", []) or [] if f and f.strip()]
        phrases = []
        for form in forms:
            script = "c" if _CYRILLIC.search(form) else "l"
            if " " in form:
                first_words.add(form.split()[0])
                phrases.append(r"(?<!\w)" + r"\W+".join(re.escape(w) for w in form.split()) + r"(?!\w)")
            elif len(form) <= 3:
                exact.setdefault((script, form), name)
            else:
                stem = _stem(form)
                stems.setdefault((script, stem), name)
                if script == "c" and len(form) >= 5:
                    glued.setdefault(stem, name)
        compiled.append(
            _Service(
                name=name,
                domains=_domain_pattern(get("domains", []) or []),
                phrases=re.compile("|".join(phrases)) if phrases else None,
            )
        )
    groups = [f"(?P<s{n}>{svc.domains.pattern})" for n, svc in enumerate(compiled) if svc.domains is not None]
    return CompiledRules(
        services=tuple(compiled),
        exact=exact,
        stems=stems,
        glued=glued,
        domains=re.compile("|".join(groups)) if groups else None,
        phrase_words=frozenset(first_words),
    )


def _named(rules: CompiledRules, word: str, script: str) -> str | None:
    """The service a word names, if any."""
    found = rules.exact.get((script, word))
    if found:
        return found
    for cut in range(len(word), max(len(word) - 3, 3), -1):
        found = rules.stems.get((script, word[:cut]))
        if found and (cut == len(word) or word[cut:].isalpha()):
            return found
    if script == "c" and word.startswith("в") and len(word) > 5:
        for rest in (word[1:], word[2:] if word.startswith("во") else ""):
            for cut in range(len(rest), max(len(rest) - 3, 3), -1):
                found = rules.glued.get(rest[:cut])
                if found and (cut == len(rest) or rest[cut:].isalpha()):
                    return found
    return None


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
    link = rules.domains.search(views.latin) if rules.domains is not None else None
    if link is not None:
        return Verdict(REFUSED, FORBIDDEN_SERVICE, rules.services[int(link.lastgroup[1:])].name, LINK)
    if has_profanity(views.latin, views.cyrillic):
        return Verdict(REFUSED, PROFANITY)
    mentioned = None
    cyr_words = _WORD.findall(views.cyrillic)
    lat_words = _WORD.findall(views.latin)
    if len(cyr_words) != len(lat_words):  # never expected: the views differ in letters, not in words
        lat_words = cyr_words
    # Each distinct word is looked up once: messages repeat their words.
    cyr_named = {w: _named(rules, w, "c") for w in set(cyr_words)}
    lat_named = {w: _named(rules, w, "l") for w in set(lat_words)}
    mentions = []
    for i, (cyr, lat) in enumerate(zip(cyr_words, lat_words, strict=True)):
        service = cyr_named[cyr] or lat_named[lat]
        if service:
            mentions.append((i, service))
    has_phrase = not rules.phrase_words.isdisjoint(cyr_named) or not rules.phrase_words.isdisjoint(lat_named)
    for service in rules.services if has_phrase else ():
        if service.phrases is None:
            continue
        for view in (views.cyrillic, views.latin):
            found = [m.start() for m in service.phrases.finditer(view)]
            if found:
                starts = [m.start() for m in _WORD.finditer(view)]
                mentions += [(_word_index(starts, offset), service.name) for offset in found]
    if mentions:
        has_contact = bool(_HANDLE.search(views.latin) or _PHONE.search(views.latin))
        for index, service in mentions:
            if _called_to(index, cyr_words, lat_words, has_contact):
                return Verdict(REFUSED, FORBIDDEN_SERVICE, service, CALL)
        mentioned = mentions[0][1]
    if mentioned:
        return Verdict(FLAGGED, FORBIDDEN_SERVICE, mentioned, MENTION)
    return Verdict()
