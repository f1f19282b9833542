"""The mark of a message that repeats its author's text of the previous 24 hours, as people post, edit and delete."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chats.models import Message
from chats.services.messages import message_delete, message_edit, message_post
from tests.stats.helpers import world

pytestmark = pytest.mark.django_db

HOMEWORK = "Домашнее задание: параграф 12, упражнения 1–3"


def _marks(*messages) -> list[bool]:
    marks = dict(Message.objects.filter(pk__in=[m.pk for m in messages]).values_list("pk", "repeats"))
    return [marks[m.pk] for m in messages]


def _earlier(chat, author, text, hours: float) -> Message:
    return Message.objects.create(
        chat=chat, author=author, text=text, created_at=timezone.now() - timedelta(hours=hours)
    )


def test_the_same_text_within_a_day_is_a_repeat_whatever_its_case_spacing_and_chat():
    w = world()
    first = message_post(chat=w.class_chat, actor=w.teacher, text=HOMEWORK)
    again = message_post(chat=w.parents_chat, actor=w.teacher, text="  " + HOMEWORK.upper() + " ")
    other = message_post(chat=w.class_chat, actor=w.teacher, text="Завтра собрание в 18:00")
    assert _marks(first, again, other) == [False, True, False]
    assert (first.repeats, again.repeats) == (False, True)  # the posted message reads its mark from the row


def test_a_copy_older_than_a_day_by_another_author_or_in_another_school_is_not_a_repeat():
    w, elsewhere = world(), world()
    _earlier(w.class_chat, w.teacher, HOMEWORK, hours=25)
    _earlier(w.class_chat, w.students[0], HOMEWORK, hours=1)
    _earlier(elsewhere.class_chat, w.teacher, HOMEWORK, hours=1)  # the same person, another school's chat
    now = message_post(chat=w.class_chat, actor=w.teacher, text=HOMEWORK)
    assert _marks(now) == [False]


def test_a_system_notice_and_a_message_of_files_alone_are_never_repeats():
    w = world()
    notices = [Message.objects.create(chat=w.class_chat, author=None, text="Ученик вступил в чат") for _ in range(2)]
    empty = [_earlier(w.class_chat, w.teacher, "", hours=h) for h in (2, 1)]
    assert _marks(*notices, *empty) == [False, False, False, False]


def test_deleting_the_earlier_copy_makes_the_later_one_real_and_the_deleted_one_is_no_repeat():
    w = world()
    first = _earlier(w.class_chat, w.teacher, HOMEWORK, hours=3)
    second = _earlier(w.class_chat, w.teacher, HOMEWORK, hours=2)
    third = _earlier(w.class_chat, w.teacher, HOMEWORK, hours=1)
    assert _marks(first, second, third) == [False, True, True]
    message_delete(message=second, actor=w.teacher)
    assert _marks(first, second, third) == [False, False, True]  # the third still copies the first
    message_delete(message=Message.objects.get(pk=first.pk), actor=w.teacher)
    assert _marks(first, second, third) == [False, False, False]


def test_editing_a_text_recounts_itself_and_the_later_copies_of_the_old_and_the_new_text():
    w = world()
    first = _earlier(w.class_chat, w.teacher, HOMEWORK, hours=3)
    second = _earlier(w.class_chat, w.teacher, HOMEWORK, hours=2)
    note = _earlier(w.class_chat, w.teacher, "Собрание переносится на четверг", hours=1)
    assert _marks(first, second, note) == [False, True, False]
    message_edit(message=first, actor=w.teacher, text="Собрание переносится на четверг")
    assert _marks(first, second, note) == [False, False, True]
    message_edit(message=Message.objects.get(pk=second.pk), actor=w.teacher, text="собрание  переносится на ЧЕТВЕРГ")
    assert _marks(first, second, note) == [False, True, True]


def test_a_bulk_load_of_older_messages_marks_the_copies_already_there():
    w = world()
    later = _earlier(w.class_chat, w.teacher, HOMEWORK, hours=1)
    assert _marks(later) == [False]
    loaded = Message.objects.bulk_create(
        [
            Message(
                chat=w.parents_chat, author=w.teacher, text=HOMEWORK, created_at=timezone.now() - timedelta(hours=5)
            ),
            Message(
                chat=w.parents_chat, author=w.teacher, text=HOMEWORK, created_at=timezone.now() - timedelta(hours=4)
            ),
        ]
    )
    assert _marks(*loaded, later) == [False, True, True]
