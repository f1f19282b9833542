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
