"""Quotes inside quotes: «Школа „Гимназия № 1“», never «Школа «Гимназия № 1»» (a name with quotes of its own,
put between «» by a letter or a page)."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from chats.models import Chat
from chats.services.manage import chat_create
from portal.quotes import inner_quotes, quoted
from tests.factories import OrganisationFactory, admin_of, teacher_of
from tests.orgs.test_registration import operator, submit  # noqa: F401 (the fixture is used by name)

pytestmark = pytest.mark.django_db
NESTED = re.compile(r"«[^»]*«")


def test_a_name_with_its_own_quotes_gets_inner_ones():
    assert quoted("МБОУ «Гимназия № 1»") == "«МБОУ „Гимназия № 1“»"
    assert inner_quotes("Кружок «Юный техник»") == "Кружок „Юный техник“"
    assert quoted("Школа № 7") == "«Школа № 7»"


def test_the_operators_letter_quotes_a_quoted_name_properly(operator, django_capture_on_commit_callbacks):  # noqa: F811
    with django_capture_on_commit_callbacks(execute=True):
        submit(full_name="Муниципальное бюджетное общеобразовательное учреждение «Средняя школа № 2»")
    [letter] = mail.outbox
    assert "Поступила заявка от «Муниципальное бюджетное общеобразовательное учреждение „Средняя школа № 2“»" in (
        letter.body
    )
    assert not NESTED.search(letter.body)


def test_a_chats_pages_quote_a_quoted_title_properly(client):
    org = OrganisationFactory()
    admin = admin_of(org)
    chat = chat_create(
        organisation=org,
        actor=admin,
        kind=Chat.Kind.OTHER,
        title="Кружок «Юный техник»",
        member_ids=[teacher_of(org).pk],
    )
    client.force_login(admin)
    members = client.get(reverse("chats:members", args=[chat.pk])).content.decode()
    assert "Участники чата «Кружок „Юный техник“»" in members
    poll = client.get(reverse("chats:poll_new", args=[chat.pk])).content.decode()
    assert "Опрос появится в чате «Кружок „Юный техник“»" in poll
    assert not NESTED.search(re.sub(r"<[^>]+>", "", members + poll))


def test_no_slash_gender_forms_anywhere_in_the_product():
    """«добавлен(а)», «Ознакомлен(а)», «сам(а)»: every text names the person in a form that needs no brackets (a
    noun, a present tense, an impersonal form). The templates, letters and Python sources of every app."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parent.parent
    pattern = re.compile(r"[а-яё]\((а|ась|ла|на|ло)\)", re.IGNORECASE)
    found = []
    for folder in ("portal", "orgs", "policies", "chats", "invites", "stats", "roster", "safety", "templates"):
        for path in (root / folder).rglob("*"):
            if path.suffix not in {".py", ".html", ".txt"} or "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                if pattern.search(line):
                    found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert found == []
