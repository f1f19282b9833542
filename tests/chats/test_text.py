"""A message's text is described when it is written: its shape and a digest that copies share."""

import importlib

import pytest
from django.apps import apps

from chats.models import Chat, Message
from chats.services.messages import message_edit, message_post
from chats.services.sync import chats_sync_organisation
from chats.text import Shape, describe
from tests.factories import ClassFactory, OrganisationFactory, curator_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def chat_and_author():
    org = OrganisationFactory()
    group = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    curator = curator_of(group)
    chats_sync_organisation(organisation=org)
    return Chat.objects.get(group=group, kind="class"), curator


@pytest.mark.parametrize(
    "text, shape",
    [
        ("", Shape.EMPTY),
        ("   ", Shape.EMPTY),
        ("👍🏻", Shape.SYMBOLS),
        ("1️⃣", Shape.SYMBOLS),
        (")))", Shape.SYMBOLS),
        ("Спасибо!", Shape.ONE_WORD),
        ("по-моему", Shape.ONE_WORD),
        ("дневник.рф", Shape.LINK),
        ("https://school.example.ru/schedule", Shape.LINK),
        ("Завтра в 18:30 родительское собрание", Shape.WORDS),
    ],
)
def test_the_shape_of_a_text(text, shape):
    assert describe(text)[0] == shape


def test_copies_share_a_digest_whatever_their_case_and_spacing_and_other_texts_do_not():
    assert describe("Напоминаю: завтра контрольная")[1] == describe("  напоминаю:   ЗАВТРА контрольная ")[1]
    assert describe("Напоминаю: завтра контрольная")[1] != describe("Напоминаю: послезавтра контрольная")[1]


def test_posting_editing_and_loading_in_bulk_describe_the_text(chat_and_author):
    chat, author = chat_and_author
    message = message_post(chat=chat, actor=author, text="Спасибо!")
    assert Message.objects.filter(pk=message.pk, text_shape=Shape.ONE_WORD).exists()

    message_edit(message=message, actor=author, text="Собрание переносится на четверг, 18:00")
    stored = Message.objects.get(pk=message.pk)
    assert (stored.text_shape, stored.text_digest) == describe("Собрание переносится на четверг, 18:00")

    loaded = Message.objects.bulk_create([Message(chat=chat, author=author, text="👍")])[0]
    assert Message.objects.get(pk=loaded.pk).text_shape == Shape.SYMBOLS


def test_the_migration_describes_the_texts_written_before_it(chat_and_author):
    chat, author = chat_and_author
    texts = ["Ок", "Завтра экскурсия, сбор в 8:30 у школы", "", "🎉🎉"]
    for text in texts:
        message_post(chat=chat, actor=author, text=text or "—")
    Message.objects.filter(text="—").update(text="")
    Message.objects.update(text_shape=Shape.WORDS, text_digest=0)  # as the rows were before the migration

    migration = importlib.import_module("chats.migrations.0007_message_text_shape")
    migration.describe_texts(apps, None)

    for message in Message.objects.all():
        assert (message.text_shape, message.text_digest) == describe(message.text), message.text
