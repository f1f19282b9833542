"""Messages and polls through the services: who posts where, edits, deletion markers, moderation, votes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chats.models import Chat, ChatMember, Message, PollVote
from chats.permissions import can_moderate, can_post, can_read
from chats.selectors import poll_results
from chats.services.messages import chat_get_for, chat_mark_read, message_delete, message_edit, message_post
from chats.services.polls import poll_create, poll_vote
from chats.services.sync import chats_sync_organisation
from portal.exceptions import NotFound, PermissionDenied, RuleViolation
from tests.factories import ClassFactory, OrganisationFactory, admin_of, curator_of, student_in, teacher_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    org = OrganisationFactory()
    a = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    b = ClassFactory(organisation=org, grade=5, letter="Б", name="5Б")
    people = {
        "org": org,
        "admin": admin_of(org),
        "director": teacher_of(org, position="director"),
        "curator_a": curator_of(a),
        "curator_b": curator_of(b),
        "kid_a": student_in(a),
        "kid_a2": student_in(a),
        "kid_b": student_in(b),
    }
    chats_sync_organisation(organisation=org)
    people["chat_a"] = Chat.objects.get(group=a, kind="class")
    people["chat_b"] = Chat.objects.get(group=b, kind="class")
    people["general"] = Chat.objects.get(organisation=org, kind="general_channel")
    return people


def test_members_post_and_text_is_stripped_and_limited(school):
    chat, kid = school["chat_a"], school["kid_a"]
    message = message_post(chat=chat, actor=kid, text="  Привет, класс!  \n")
    assert message.text == "Привет, класс!" and message.author == kid
    with pytest.raises(RuleViolation, match="пустое"):
        message_post(chat=chat, actor=kid, text="   \n ")
    with pytest.raises(RuleViolation, match="4000"):
        message_post(chat=chat, actor=kid, text="я" * 4001)
    assert message_post(chat=chat, actor=kid, text="я" * 4000).text == "я" * 4000
    assert Message.objects.filter(chat=chat).count() == 2


def test_a_student_of_5a_neither_reads_nor_posts_in_5b(school):
    kid, chat_b = school["kid_a"], school["chat_b"]
    assert not can_read(kid, chat_b) and not can_post(kid, chat_b)
    with pytest.raises(NotFound):
        chat_get_for(kid, chat_b.pk)
    with pytest.raises(NotFound):
        message_post(chat=chat_b, actor=kid, text="Я тут")
    assert not Message.objects.filter(chat=chat_b).exists()


def test_administrator_reads_every_chat_but_posts_only_where_a_member(school):
    admin, chat_b = school["admin"], school["chat_b"]
    assert chat_get_for(admin, chat_b.pk) == chat_b
    assert can_moderate(admin, chat_b) and not can_post(admin, chat_b)
    with pytest.raises(PermissionDenied, match="участники"):
        message_post(chat=chat_b, actor=admin, text="Объявление")
    other_admin = admin_of(OrganisationFactory())
    with pytest.raises(NotFound):
        chat_get_for(other_admin, chat_b.pk)


def test_only_owners_post_in_the_general_channel(school):
    general = school["general"]
    assert ChatMember.objects.filter(chat=general, user=school["kid_a"], left_at__isnull=True).exists()
    with pytest.raises(PermissionDenied, match="администраторы и руководитель"):
        message_post(chat=general, actor=school["kid_a"], text="Всем привет")
    with pytest.raises(PermissionDenied):
        message_post(chat=general, actor=school["curator_a"], text="Коллеги")
    assert message_post(chat=general, actor=school["director"], text="Собрание в пятницу").pk
    assert message_post(chat=general, actor=school["admin"], text="Расписание обновлено").pk
    assert Message.objects.filter(chat=general).count() == 2


def test_archived_chats_are_read_only_and_keep_history(school):
    chat, kid = school["chat_a"], school["kid_a"]
    old = message_post(chat=chat, actor=kid, text="До архива")
    Chat.objects.filter(pk=chat.pk).update(is_archived=True)
    chat.refresh_from_db()
    with pytest.raises(PermissionDenied, match="архиве"):
        message_post(chat=chat, actor=kid, text="После")
    with pytest.raises(PermissionDenied, match="архиве"):
        message_edit(message=Message.objects.get(pk=old.pk), actor=kid, text="Правка")
    assert chat_get_for(kid, chat.pk) == chat
    assert list(Message.objects.filter(chat=chat).values_list("text", flat=True)) == ["До архива"]


def test_reply_must_be_in_the_same_chat(school):
    in_b = message_post(chat=school["chat_b"], actor=school["kid_b"], text="Вопрос в 5Б")
    first = message_post(chat=school["chat_a"], actor=school["kid_a"], text="Вопрос")
    reply = message_post(chat=school["chat_a"], actor=school["curator_a"], text="Ответ", reply_to=first.pk)
    assert reply.reply_to == first
    with pytest.raises(RuleViolation, match="этого чата"):
        message_post(chat=school["chat_a"], actor=school["kid_a"], text="Ответ", reply_to=in_b.pk)


def test_authors_edit_and_delete_their_messages_leaving_a_marker(school):
    chat, kid, other = school["chat_a"], school["kid_a"], school["kid_a2"]
    message = message_post(chat=chat, actor=kid, text="Черновик")
    with pytest.raises(PermissionDenied, match="автор"):
        message_edit(message=message, actor=other, text="Чужая правка")
    with pytest.raises(PermissionDenied, match="чужие"):
        message_delete(message=message, actor=other)
    message = message_edit(message=message, actor=kid, text="  Исправлено ")
    assert message.text == "Исправлено" and message.edited_at is not None
    message_delete(message=message, actor=kid)
    message.refresh_from_db()
    assert message.text == "" and message.deleted_at is not None and message.deleted_by == kid
    with pytest.raises(RuleViolation, match="Удалённое"):
        message_edit(message=message, actor=kid, text="Воскрешение")


@pytest.mark.parametrize("moderator", ["curator_a", "admin"])
def test_owners_and_administrators_delete_others_messages(school, moderator):
    message = message_post(chat=school["chat_a"], actor=school["kid_a"], text="Грубость")
    message_delete(message=message, actor=school[moderator])
    message.refresh_from_db()
    assert message.is_deleted and message.text == ""


def test_a_chat_moderator_deletes_others_messages(school):
    chat, kid, helper = school["chat_a"], school["kid_a"], school["kid_a2"]
    ChatMember.objects.filter(chat=chat, user=helper).update(role="moderator")
    message = message_post(chat=chat, actor=kid, text="Спам")
    message_delete(message=message, actor=helper)
    assert Message.objects.get(pk=message.pk).is_deleted


def test_unread_marks_never_move_back(school):
    chat, kid, curator = school["chat_a"], school["kid_a"], school["curator_a"]
    first = message_post(chat=chat, actor=curator, text="Первое")
    second = message_post(chat=chat, actor=curator, text="Второе")
    assert chat_mark_read(chat=chat, actor=kid).last_read_message_id == second.pk
    assert chat_mark_read(chat=chat, actor=kid, message_id=first.pk).last_read_message_id == second.pk
    with pytest.raises(RuleViolation):
        chat_mark_read(
            chat=chat, actor=kid, message_id=message_post(chat=school["chat_b"], actor=school["kid_b"], text="x").pk
        )
    with pytest.raises(NotFound):
        chat_mark_read(chat=school["chat_b"], actor=kid)


def _poll(school, **kwargs):
    return poll_create(
        chat=school["chat_a"],
        actor=school["curator_a"],
        question="Когда собрание?",
        options=["Пн", "Вт", "Ср"],
        **kwargs,
    )


def test_single_choice_poll_replaces_the_vote(school):
    poll = _poll(school)
    pn, vt, _sr = poll.options.all()
    assert poll.message.text == "Когда собрание?" and poll.message.chat == school["chat_a"]
    poll_vote(poll=poll, actor=school["kid_a"], option_ids=[pn.pk])
    poll_vote(poll=poll, actor=school["kid_a"], option_ids=[vt.pk])
    poll_vote(poll=poll, actor=school["kid_a2"], option_ids=[vt.pk])
    with pytest.raises(RuleViolation, match="только один"):
        poll_vote(poll=poll, actor=school["kid_a"], option_ids=[pn.pk, vt.pk])
    results = poll_results(poll, school["kid_a"])
    assert [(o["text"], o["votes"], o["chosen"]) for o in results["options"]] == [
        ("Пн", 0, False),
        ("Вт", 2, True),
        ("Ср", 0, False),
    ]
    assert results["total_voters"] == 2
    assert {u.pk for u in results["options"][1]["voters"]} == {school["kid_a"].pk, school["kid_a2"].pk}


def test_multiple_choice_poll_keeps_the_chosen_set(school):
    poll = _poll(school, multiple=True)
    pn, vt, sr = poll.options.all()
    poll_vote(poll=poll, actor=school["kid_a"], option_ids=[pn.pk, vt.pk])
    assert set(PollVote.objects.filter(user=school["kid_a"]).values_list("option_id", flat=True)) == {pn.pk, vt.pk}
    poll_vote(poll=poll, actor=school["kid_a"], option_ids=[vt.pk, sr.pk])
    assert set(PollVote.objects.filter(user=school["kid_a"]).values_list("option_id", flat=True)) == {vt.pk, sr.pk}
    assert [o["votes"] for o in poll_results(poll, school["kid_a"])["options"]] == [0, 1, 1]


def test_anonymous_poll_hides_voters(school):
    poll = _poll(school, anonymous=True)
    poll_vote(poll=poll, actor=school["kid_a"], option_ids=[poll.options.first().pk])
    results = poll_results(poll, school["curator_a"])
    assert results["options"][0]["votes"] == 1
    assert all(o["voters"] is None for o in results["options"])


def test_closed_polls_and_outsiders_cannot_vote(school):
    poll = _poll(school, closes_at=timezone.now() + timedelta(hours=1))
    option = poll.options.first()
    with pytest.raises(NotFound):
        poll_vote(poll=poll, actor=school["kid_b"], option_ids=[option.pk])
    with pytest.raises(PermissionDenied, match="участники"):
        poll_vote(poll=poll, actor=school["admin"], option_ids=[option.pk])
    other = _poll(school)
    with pytest.raises(RuleViolation, match="варианта"):
        poll_vote(poll=poll, actor=school["kid_a"], option_ids=[other.options.first().pk])
    type(poll).objects.filter(pk=poll.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(RuleViolation, match="закрыт"):
        poll_vote(poll=poll, actor=school["kid_a"], option_ids=[option.pk])
    assert not PollVote.objects.exists()


def test_poll_needs_two_distinct_options_and_a_future_closing_time(school):
    with pytest.raises(RuleViolation, match="от 2"):
        poll_create(chat=school["chat_a"], actor=school["curator_a"], question="Да?", options=["Да", "  "])
    with pytest.raises(RuleViolation, match="повторяются"):
        poll_create(chat=school["chat_a"], actor=school["curator_a"], question="Да?", options=["Да", "Да"])
    with pytest.raises(RuleViolation, match="прошло"):
        _poll(school, closes_at=timezone.now() - timedelta(hours=1))
    with pytest.raises(PermissionDenied):
        poll_create(chat=school["general"], actor=school["kid_a"], question="Каникулы?", options=["Да", "Нет"])
    assert not Message.objects.exists()
