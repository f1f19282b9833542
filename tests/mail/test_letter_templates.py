"""Every letter the portal writes comes from templates/mail/ and speaks the organisation's words: rendered for a
college, no letter says «класс», «ученик» or «учитель» (see tests/test_college_words.py for the words)."""

from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from orgs.models import Membership
from portal.mail import letter_render, site_url
from tests.factories import ClassFactory, OrganisationFactory, member
from tests.test_college_words import school_words

pytestmark = pytest.mark.django_db

MAIL = Path(settings.BASE_DIR) / "templates" / "mail"


def letter_names() -> list[str]:
    names = sorted(p.name.removesuffix("_body.txt") for p in MAIL.glob("*_body.txt"))
    assert names and all((MAIL / f"{name}_subject.txt").exists() for name in names), names
    return names


def sample_context(kind: str) -> dict:
    """What the services give the letters, for an organisation of the kind: the vocabulary's words wherever a letter
    names a group, its people or its staff, and every flag on so that each optional paragraph is drawn."""
    organisation = OrganisationFactory(kind=kind, short_name="Колледж связи" if kind == "college" else "Гимназия № 1")
    words = organisation.vocabulary
    group = ClassFactory(organisation=organisation, grade=1, letter="ЭС-21", name="ЭС-21")
    person = member(organisation, Membership.Role.TEACHER).user
    link = site_url("orgs:org_home", organisation.pk)
    return {
        "organisation": organisation,
        "organisation_name": organisation.short_name,
        "short_name": organisation.short_name,
        "words": words,
        "user": person,
        "person": person,
        "approver": person,
        "group": group,
        "where": group,
        "role": words.teacher,
        "automatic": True,
        "personal": True,
        "parent": True,
        "stale": 1,
        "stale_days": 3,
        "count": 2,
        "lines": [f"— {person.full_name}, {words.student}, {words.group} {group.name}"],
        "items": [{"role": words.student, "target": group, "created": "01.09.2026"}],
        "devices": [{"device": "Firefox", "ip": ""}],
        "comment": "Не я",
        "reason": "нет в списке",
        "note": "нет места",
        "text": "Напоминание",
        "link": link,
        "url": link,
    }


def test_every_letter_is_rendered_from_its_templates_for_a_school_and_a_college():
    letters = {kind: {} for kind in ("school", "college")}
    for kind in letters:
        context = sample_context(kind)
        for name in letter_names():
            letters[kind][name] = letter_render(name, context)
    for kind, rendered in letters.items():
        for name, letter in rendered.items():
            assert letter["subject"] and "\n" not in letter["subject"], (kind, name)
            assert letter["body"] and "{" not in letter["body"] and "&quot;" not in letter["body"], (kind, name)
    # The school hears its own words where the letter names them; the college never hears them.
    assert "учитель" in letters["school"]["teacher_verified"]["body"]
    assert "преподаватель" in letters["college"]["teacher_verified"]["body"]
    found = [
        f"{name}: …{context}…"
        for name, letter in letters["college"].items()
        for context in school_words(f"{letter['subject']}\n{letter['body']}")
    ]
    assert not found, "\n".join(found)


def test_letters_are_in_the_portals_language_whatever_the_reader_of_the_page_chose():
    context = sample_context("school")
    with translation.override("en"):
        letter = letter_render("teacher_verified", context)
    assert letter["subject"].startswith("Статус подтверждён") and "учитель" in letter["body"]


def test_links_in_letters_are_the_base_url_and_the_pages_path(settings):
    settings.PORTAL_BASE_URL = "https://portal.example.org/"
    assert site_url() == "https://portal.example.org/"
    assert site_url("invites:join", "abc") == "https://portal.example.org/join/abc/"
