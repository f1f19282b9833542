"""A college speaks of «группа», «куратор», «преподаватель», «обучающийся» (orgs/vocabulary.py), never of the school's
«класс», «ученик», «учитель»: every page its administrator, curator and student open, every PDF and CSV they
download and every letter the portal writes them goes through the organisation's vocabulary."""

import re
import subprocess
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from invites.services.links import invite_create
from invites.services.sending import invite_email
from orgs.models import Membership
from orgs.services.membership import teacher_verify
from tests.factories import member
from tests.test_security_headers import BROWSER_ACCEPT, arguments, routes, seed

pytestmark = pytest.mark.django_db

# The school's words where a college has its own; «учительская» is the school's staff group.
SCHOOL_WORDS = re.compile(
    r"\b(?:класс(?:а|е|у|ом|ы|ов|ам|ами|ах|ный|ного|ному|ным|ном|ная|ной|ную|ные|ных|ным|ными)?|"
    r"ученик\w*|учени[цч]\w*|учител\w*|учительск\w*|общешкольн\w*|классн\w+ руководител\w*)\b",
    re.IGNORECASE,
)
# Pages that are the same for every organisation or are not the organisation's (the operator's, the API's).
SKIPPED_PREFIXES = ("admin:", "api-", "schema", "set_language")


class VisibleText(HTMLParser):
    """The text a reader sees or hears: element text and the labels of controls, without scripts and styles."""

    SPOKEN = ("aria-label", "title", "placeholder", "alt")

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        attrs = dict(attrs)
        self.parts += [attrs[a] for a in self.SPOKEN if attrs.get(a)]

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def text_of(response) -> str | None:
    content_type = response.get("Content-Type", "")
    if content_type.startswith("text/html") and not response.wsgi_request.path.startswith("/api/"):
        # (the browsable API's forms are DRF's, labelled by the models' choices for every organisation alike)
        return visible_text(response.content.decode())
    if content_type.startswith("application/pdf"):
        return subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True, check=True
        ).stdout.decode()
    if content_type.startswith(("text/csv", "text/plain")):
        return response.content.decode("utf-8-sig", errors="replace")
    return None


# Words for both kinds at once («Класс или группа» in the audit log's details) are not the school's alone.
BOTH = re.compile(r"класс или групп\w*|классы и группы", re.IGNORECASE)


def school_words(text: str) -> list[str]:
    """Each school word with a little of its context, so that the failure says where it stands."""
    text = BOTH.sub("…", text)
    return [text[max(0, m.start() - 40) : m.end() + 40] for m in SCHOOL_WORDS.finditer(text)]


def test_the_check_finds_the_words_a_college_page_once_had():
    assert school_words("Приглашения класса") and school_words("Личные ссылки ученикам и родителям")
    assert school_words("Статус учителя подтверждён") and school_words("Общешкольный канал")
    assert not school_words("Группа ЭС-21: куратор, преподаватели, обучающиеся; классификатор профессий")


@pytest.fixture
def college():
    seeded = seed("college")
    s = seeded["school"]
    return seeded, {"администратор": s.admin, "куратор": s.teacher, "обучающийся": s.kid, "родитель": s.parent}


@pytest.mark.xfail(
    strict=True,
    reason="Known defect, not yet fixed: the pages added with the roster import (roster:*), the promotion "
    "(orgs:promotion, orgs:promotion_report, orgs:movement), the organisation's settings and the curator link's role "
    "label on the invite list still say «класс»/«классный руководитель» to a college.",
)
def test_every_page_a_college_member_opens_speaks_the_colleges_words(college):
    seeded, people = college
    found, opened = [], 0
    for who, user in people.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for name, names, entry in routes():
            if name is None or name.startswith(SKIPPED_PREFIXES) or name.endswith(("-list", "-detail")):
                continue
            path = reverse(name, kwargs=arguments(name, names, entry, seeded))
            # The API's files (PDF, CSV) are read; its browsable pages are DRF's (see text_of), so not drawn at all.
            response = client.get(path, HTTP_ACCEPT="*/*" if path.startswith("/api/") else BROWSER_ACCEPT)
            text = text_of(response) if response.status_code == 200 else None
            if text is None:
                continue
            opened += 1
            found += [f"{who} {path} ({name}): …{context}…" for context in school_words(text)]
    assert opened > 100
    assert not found, "\n".join(found)


def test_every_letter_to_a_college_speaks_the_colleges_words(django_capture_on_commit_callbacks):
    """The letters of joining (the curator's and administrator's news of a join request), of verification and of
    an invite sent by e-mail."""
    with django_capture_on_commit_callbacks(execute=True):
        s = seed("college")["school"]
        waiting = member(s.org, Membership.Role.TEACHER, verified=False)
        teacher_verify(membership=waiting, actor=s.admin)
    invite, _token = invite_create(
        organisation=s.org,
        actor=s.teacher,
        role="student",
        target_group=s.cls,
        recipient_name="Иванов Иван",
        recipient_email="ivanov@example.org",
    )
    sent = invite_email(invite, "http://127.0.0.1:8000/join/x/")
    letters = [f"{m.subject}\n{m.body}" for m in [*mail.outbox, sent]]
    assert len(letters) >= 3, letters
    found = [context for letter in letters for context in school_words(letter)]
    assert not found, "\n".join(found)
