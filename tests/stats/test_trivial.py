"""Which messages are counted apart as imitation of activity."""

import pytest

from stats.trivial import EMOJI, ONE_WORD, REPEAT, is_trivial, triviality


@pytest.mark.parametrize(
    "text",
    [
        "👍",
        "👍🏻",  # skin tone modifier
        "❤️",  # with the emoji variation selector
        "👨‍👩‍👧",  # a zero-width-joiner family: one "sticker"
        "🇷🇺",  # a flag: two regional indicators
        "1️⃣",  # a keycap is a symbol, not a number
        "🎉🎉🎉",
        "👍 👍",
        ")))",
        ":)",
        "+",
        "!!!",
        "   ",
    ],
)
def test_emoji_stickers_and_bare_punctuation_are_emoji_only(text):
    assert triviality(text) == EMOJI


@pytest.mark.parametrize("text", ["Спасибо!", "ок", "Да", "ПРИНЯТО", "спасибо 🙏", "по-моему", "5", "Thanks!", "ёжик"])
def test_a_single_word_with_or_without_emoji_is_one_word(text):
    assert triviality(text) == ONE_WORD


@pytest.mark.parametrize(
    "text",
    [
        "Хорошо, спасибо",
        "Завтра в 18:30 родительское собрание в кабинете 12",
        "Домашнее задание: упр. 5, стр. 34",
        "https://school.example.ru/schedule",  # a link alone shares something
        "Смотрите: www.gosuslugi.ru",
        "дневник.рф",
        "👍 Согласна с Ириной Викторовной",
    ],
)
def test_real_messages_are_not_trivial(text):
    assert triviality(text) is None
    assert not is_trivial(text)


@pytest.mark.parametrize("text", ["👍", "Ок", ""])
def test_a_file_or_a_poll_is_content_whatever_its_caption(text):
    assert not is_trivial(text, has_attachments=True)
    assert not is_trivial(text, has_poll=True)


def test_the_same_text_again_from_the_same_author_is_a_repeat_whatever_its_case_and_spacing():
    text = "Напоминаю: завтра контрольная по математике"
    assert triviality(text, recent_texts=["напоминаю:  завтра контрольная   по математике "]) == REPEAT
    assert triviality(text, recent_texts=["Напоминаю: послезавтра контрольная по математике"]) is None
    # A repeated link is a repeat too: the first one shared something, the copies do not.
    assert triviality("https://example.ru/a", recent_texts=["https://example.ru/a"]) == REPEAT
    assert triviality("https://example.ru/a", recent_texts=["https://example.ru/b"]) is None


def test_a_repeat_of_a_poll_or_a_file_message_is_still_content():
    assert triviality("Опрос", has_poll=True, recent_texts=["Опрос"]) is None


@pytest.mark.django_db
def test_the_fill_counts_what_the_judgement_says_for_every_kind_of_text():
    """The statistics judge messages in the database from what was stored with each text: every text of the cases
    above, each by an author of its own, is counted under the reason `triviality` gives it."""
    from collections import Counter
    from datetime import timedelta

    from chats.models import Message
    from orgs.models import Membership
    from stats.services.fill import stats_advance

    from .helpers import UserFactory, at, join, value, world

    texts = [
        "👍", "👍🏻", "❤️", "👨‍👩‍👧", "🇷🇺", "1️⃣", "🎉🎉🎉", "👍 👍", ")))", ":)", "+", "!!!", "   ", "",
        "Спасибо!", "ок", "Да", "ПРИНЯТО", "спасибо 🙏", "по-моему", "5", "Thanks!", "ёжик",
        "Хорошо, спасибо", "Завтра в 18:30 родительское собрание в кабинете 12", "https://school.example.ru/schedule",
        "Смотрите: www.gosuslugi.ru", "дневник.рф", "👍 Согласна с Ириной Викторовной",
    ]  # fmt: skip
    w = world()
    day = w.start + timedelta(days=1)
    messages = []
    for n, text in enumerate(texts):
        author = UserFactory()
        join(w.organisation, author, Membership.Role.PARENT, at(w.organisation, w.start))
        messages.append(Message(chat=w.parents_chat, author=author, text=text, created_at=at(w.organisation, day, n)))
    Message.objects.bulk_create(messages)

    stats_advance()

    expected = Counter(triviality(text) for text in texts)
    for reason in (EMOJI, ONE_WORD):
        assert value(w.organisation, "activity.v1", day, f"messages.trivial.{reason}") == expected[reason], reason
    assert value(w.organisation, "activity.v1", day, "messages.trivial") == len(texts) - expected[None]
