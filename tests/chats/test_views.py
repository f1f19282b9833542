"""The chat pages in the browser's terms: lists, the feed, posting, editing, deleting, votes, escaping, queries."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chats.models import Chat, ChatReadState, Message, PollVote
from chats.services.messages import message_delete, message_post
from chats.services.polls import poll_create
from chats.services.sync import chats_sync_organisation
from tests.factories import ClassFactory, OrganisationFactory, admin_of, curator_of, parent_of, student_in

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script>'


@pytest.fixture
def school():
    org = OrganisationFactory()
    a = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    b = ClassFactory(organisation=org, grade=5, letter="Б", name="5Б")
    people = {
        "org": org,
        "admin": admin_of(org),
        "curator_a": curator_of(a),
        "curator_b": curator_of(b),
        "kid_a": student_in(a),
        "kid_b": student_in(b),
    }
    people["parent_a"] = parent_of(people["kid_a"], org)
    chats_sync_organisation(organisation=org)
    people["chat_a"] = Chat.objects.get(group=a, kind="class")
    people["chat_b"] = Chat.objects.get(group=b, kind="class")
    people["parents_a"] = Chat.objects.get(group=a, kind="class_parents")
    return people


def chat_url(chat, name="chats:chat", *args):
    return reverse(name, args=[chat.pk, *args])


def test_the_list_groups_chats_by_kind_with_unread_counts(client, school):
    kid, chat_a = school["kid_a"], school["chat_a"]
    for n in range(3):
        message_post(chat=chat_a, actor=school["curator_a"], text=f"Объявление {n}")
    client.force_login(kid)
    response = client.get(reverse("chats:chat_list", args=[school["org"].pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Каналы" in html and "Чаты классов" in html
    assert chat_a.title in html and school["chat_b"].title not in html
    assert "новых: 3" in html
    # Reading the chat clears the count.
    client.get(chat_url(chat_a))
    assert "новых:" not in client.get(reverse("chats:chat_list", args=[school["org"].pk])).content.decode()


def test_the_chat_page_shows_messages_oldest_first_and_marks_read(client, school):
    chat, kid = school["chat_a"], school["kid_a"]
    first = message_post(chat=chat, actor=school["curator_a"], text="Первое сообщение")
    last = message_post(chat=chat, actor=school["curator_a"], text="Второе сообщение")
    client.force_login(kid)
    response = client.get(chat_url(chat))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Первое сообщение") < html.index("Второе сообщение")
    assert school["curator_a"].full_name in html and "✓ подтверждён" in html
    assert 'for="id_text"' in html  # the post form with its label
    assert ChatReadState.objects.get(chat=chat, user=kid).last_read_message_id == last.pk > first.pk


def test_older_messages_behind_a_cursor(client, school):
    chat, curator = school["chat_a"], school["curator_a"]
    for n in range(55):
        message_post(chat=chat, actor=curator, text=f"Сообщение №{n}.")
    client.force_login(school["kid_a"])
    html = client.get(chat_url(chat)).content.decode()
    assert "Сообщение №54." in html and "Сообщение №5." in html and "Сообщение №4." not in html
    assert "Показать раньше" in html
    cursor = Message.objects.filter(chat=chat, text="Сообщение №5.").get().pk
    older = client.get(chat_url(chat), {"before": cursor}).content.decode()
    assert "Сообщение №4." in older and "Сообщение №0." in older and "Сообщение №5." not in older
    assert "Показать раньше" not in older


def test_a_student_of_5a_cannot_open_5b_chat(client, school):
    chat_b = school["chat_b"]
    message_post(chat=chat_b, actor=school["kid_b"], text="Секрет 5Б")
    client.force_login(school["kid_a"])
    assert client.get(chat_url(chat_b)).status_code == 404
    assert client.get(chat_url(chat_b, "chats:fragment"), {"after": 0}).status_code == 404
    assert client.post(chat_url(chat_b, "chats:post"), {"text": "Я тут"}).status_code == 404
    assert not Message.objects.filter(chat=chat_b, text="Я тут").exists()
    # Another organisation's chat list is not found either.
    other = OrganisationFactory()
    assert client.get(reverse("chats:chat_list", args=[other.pk])).status_code == 404


def test_post_reply_edit_and_delete(client, school):
    chat, kid = school["chat_a"], school["kid_a"]
    original = message_post(chat=chat, actor=school["curator_a"], text="Завтра экскурсия")
    client.force_login(kid)
    response = client.post(chat_url(chat, "chats:post"), {"text": "Во сколько сбор?", "reply_to": original.pk})
    mine = Message.objects.get(chat=chat, author=kid)
    assert response.status_code == 302 and response.url.endswith(f"#m{mine.pk}")
    assert mine.reply_to == original
    html = client.get(chat_url(chat)).content.decode()
    assert "chat-quote" in html and "Во сколько сбор?" in html

    client.post(chat_url(chat, "chats:edit", mine.pk), {"text": "Во сколько сбор у школы?"})
    html = client.get(chat_url(chat)).content.decode()
    assert "Во сколько сбор у школы?" in html and "(изменено)" in html

    # Someone else's message: neither edited nor deleted by a student.
    client.post(chat_url(chat, "chats:edit", original.pk), {"text": "Подмена"})
    client.post(chat_url(chat, "chats:delete", original.pk))
    original.refresh_from_db()
    assert original.text == "Завтра экскурсия" and not original.is_deleted

    client.post(chat_url(chat, "chats:delete", mine.pk))
    mine.refresh_from_db()
    assert mine.is_deleted and mine.text == ""
    html = client.get(chat_url(chat)).content.decode()
    assert "Сообщение удалено" in html and "Во сколько сбор у школы?" not in html


def test_an_empty_message_is_refused_with_a_message(client, school):
    chat = school["chat_a"]
    client.force_login(school["kid_a"])
    response = client.post(chat_url(chat, "chats:post"), {"text": "   "}, follow=True)
    assert "Обязательное поле" in response.content.decode() or "Введите текст" in response.content.decode()
    assert not Message.objects.filter(chat=chat).exists()


def test_a_parent_votes_in_a_poll(client, school):
    chat, parent = school["parents_a"], school["parent_a"]
    poll = poll_create(chat=chat, actor=school["curator_a"], question="Когда собрание?", options=["Вторник", "Четверг"])
    thursday = poll.options.get(text="Четверг")
    client.force_login(parent)
    html = client.get(chat_url(chat)).content.decode()
    assert 'type="radio"' in html and "Когда собрание?" in html
    response = client.post(chat_url(chat, "chats:vote", poll.pk), {"option": [thursday.pk]}, follow=True)
    assert "Ваш голос учтён." in response.content.decode()
    assert list(PollVote.objects.filter(user=parent).values_list("option__text", flat=True)) == ["Четверг"]
    html = client.get(chat_url(chat)).content.decode()
    assert "Проголосовали: 1" in html and "ваш выбор" in html


def test_the_fragment_returns_only_newer_messages(client, school):
    chat, curator = school["chat_a"], school["curator_a"]
    first = message_post(chat=chat, actor=curator, text="Раз")
    second = message_post(chat=chat, actor=curator, text="Два")
    third = message_post(chat=chat, actor=curator, text="Три")
    client.force_login(school["kid_a"])
    response = client.get(chat_url(chat, "chats:fragment"), {"after": first.pk})
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="m{second.pk}"' in html and f'id="m{third.pk}"' in html and f'id="m{first.pk}"' not in html
    assert "<html" not in html
    assert client.get(chat_url(chat, "chats:fragment"), {"after": third.pk}).content.decode().strip() == ""
    assert ChatReadState.objects.get(chat=chat, user=school["kid_a"]).last_read_message_id == third.pk


def test_user_text_is_escaped(client, school):
    chat, curator = school["chat_a"], school["curator_a"]
    Chat.objects.filter(pk=chat.pk).update(title=XSS)
    chat.refresh_from_db()
    message_post(chat=chat, actor=curator, text=XSS)
    poll_create(chat=chat, actor=curator, question="Вопрос " + XSS, options=[XSS, "Обычный"])
    client.force_login(school["kid_a"])
    for response in (
        client.get(chat_url(chat)),
        client.get(chat_url(chat, "chats:fragment"), {"after": 0}),
        client.get(reverse("chats:chat_list", args=[school["org"].pk])),
    ):
        html = response.content.decode()
        assert response.status_code == 200
        assert XSS not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def _page_queries(client, chat) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(chat_url(chat))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _fill(chat, people, count, label):
    """`count` messages with a reply, a deleted one and a poll with a vote among them."""
    curator, kid = people["curator_a"], people["kid_a"]
    first = message_post(chat=chat, actor=curator, text=f"{label} начало")
    message_post(chat=chat, actor=kid, text=f"{label} ответ", reply_to=first)
    message_delete(message=message_post(chat=chat, actor=kid, text=f"{label} удалить"), actor=kid)
    poll = poll_create(chat=chat, actor=curator, question=f"{label} опрос", options=["Да", "Нет"])
    PollVote.objects.create(option=poll.options.first(), user=kid)
    for n in range(count - 4):
        message_post(chat=chat, actor=curator if n % 2 else kid, text=f"{label} {n}")


def test_the_chat_page_query_count_does_not_grow_with_messages(client, school):
    chat = school["chat_a"]
    # An administrator sees every message with its delete form: the heaviest page.
    client.force_login(school["admin"])
    client.get(chat_url(chat))  # the read mark exists from here on
    _fill(chat, school, 5, "A")
    few = _page_queries(client, chat)
    _fill(chat, school, 50, "B")
    many = _page_queries(client, chat)
    assert Message.objects.filter(chat=chat).count() == 55
    assert few == many


def test_times_on_the_chat_page_are_the_organisations_clocks(client, school):
    org = school["org"]
    org.time_zone = "Asia/Vladivostok"  # UTC+10
    org.save(update_fields=["time_zone"])
    message = message_post(chat=school["chat_a"], actor=school["curator_a"], text="Утреннее объявление")
    Message.objects.filter(pk=message.pk).update(created_at=datetime(2026, 12, 1, 1, 30, tzinfo=UTC))
    poll = poll_create(chat=school["chat_a"], actor=school["curator_a"], question="Когда собрание?", options=["А", "Б"])
    poll.closes_at = datetime(2026, 12, 24, 14, 0, tzinfo=UTC)
    poll.save(update_fields=["closes_at"])
    client.force_login(school["kid_a"])
    html = client.get(chat_url(school["chat_a"])).content.decode()
    assert "01.12.2026 11:30" in html and "01.12.2026 04:30" not in html  # not Moscow's 04:30
    assert "до 25.12.2026 00:00" in html
    # After the response the thread is back on the default zone.
    assert timezone.get_current_timezone_name() == "Europe/Moscow"


def test_a_row_drawn_once_never_shows_an_old_state(client, school):
    """The rows' common part is kept between pages: each edit, deletion, pin, rename and quote change shows at once,
    to the next viewer as to the author."""
    from chats.services.messages import message_edit
    from chats.services.moderation import message_pin, message_unpin

    chat, kid, curator = school["chat_a"], school["kid_a"], school["curator_a"]
    first = message_post(chat=chat, actor=kid, text="Первый вариант")
    reply = message_post(chat=chat, actor=curator, text="Отвечаю", reply_to=first)

    def page(user):
        client.force_login(user)
        return client.get(chat_url(chat)).content.decode()

    assert "Первый вариант" in page(kid) and "Первый вариант" in page(curator)
    message_edit(message=first, actor=kid, text="Второй вариант")
    html = page(curator)
    assert "Второй вариант" in html and "Первый вариант" not in html and "(изменено)" in html

    # The actions under another's row follow the viewer's rights and the row's state, kept or not.
    delete_first = f'formaction="{chat_url(chat, "chats:delete", first.pk)}"'
    unpin_reply = f'formaction="{chat_url(chat, "chats:unpin", reply.pk)}"'
    assert delete_first in page(curator) and delete_first in page(kid)  # the moderator's, the author's own
    assert f'formaction="{chat_url(chat, "chats:delete", reply.pk)}"' not in page(kid)
    message_pin(message=reply, actor=curator)
    assert "закреплено" in page(kid) and unpin_reply not in page(kid)
    assert unpin_reply in page(school["admin"])
    message_unpin(message=reply, actor=curator)
    assert "закреплено" not in page(kid) and unpin_reply not in page(school["admin"])

    kid.last_name = "Переименованная"
    kid.save(update_fields=["last_name"])
    assert "Переименованная" in page(curator)

    # Deleted by a moderator (the class's curator): neither the row nor its quote shows the text any more.
    message_delete(message=first, actor=curator)
    for viewer in (kid, curator, school["admin"]):
        html = page(viewer)
        assert "Второй вариант" not in html and html.count("Сообщение удалено") == 2


def test_a_kept_row_shows_each_viewer_their_own_vote_and_forms_that_work(school):
    """Whole rows are kept between pages too: each viewer still sees their own choice in a poll and the new counts
    after a vote, and the forms in a kept row (a vote, an edit of one's own message) carry the viewer's own CSRF
    token, so that they work for the next viewer as for the first."""
    import re

    from django.test import Client

    chat, kid, curator = school["chat_a"], school["kid_a"], school["curator_a"]
    other = student_in(chat.group)
    chats_sync_organisation(organisation=school["org"])
    poll = poll_create(chat=chat, actor=curator, question="Когда собрание?", options=["Вторник", "Четверг"])
    tuesday, thursday = poll.options.order_by("position")
    own = message_post(chat=chat, actor=kid, text="Мой текст")

    def browser(user):
        c = Client(enforce_csrf_checks=True)
        c.force_login(user)
        return c

    def token_of(html, action):
        form = html[html.index(f'action="{action}"') :]
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)

    vote_url = chat_url(chat, "chats:vote", poll.pk)
    for user, option in ((kid, tuesday), (other, thursday)):  # the same kept row, one viewer after the other
        c = browser(user)
        html = c.get(chat_url(chat)).content.decode()
        response = c.post(vote_url, {"option": [option.pk], "csrfmiddlewaretoken": token_of(html, vote_url)})
        assert response.status_code == 302
    assert set(PollVote.objects.filter(option__poll=poll).values_list("user_id", "option_id")) == {
        (kid.pk, tuesday.pk),
        (other.pk, thursday.pk),
    }
    kid_page = browser(kid).get(chat_url(chat)).content.decode()
    other_page = browser(other).get(chat_url(chat)).content.decode()
    assert 'Вторник: <strong>1</strong> <span class="badge">ваш выбор</span>' in kid_page
    assert 'Четверг: <strong>1</strong> <span class="badge">ваш выбор</span>' in other_page
    assert 'Вторник: <strong>1</strong> <span class="badge">' not in other_page

    edit_url = chat_url(chat, "chats:edit", own.pk)
    for text in ("Первая правка", "Вторая правка"):  # the second edit from the row kept after the first
        c = browser(kid)
        html = c.get(chat_url(chat)).content.decode()
        assert c.post(edit_url, {"text": text, "csrfmiddlewaretoken": token_of(html, edit_url)}).status_code == 302
        own.refresh_from_db()
        assert own.text == text
