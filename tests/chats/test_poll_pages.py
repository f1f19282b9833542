"""Creating a poll in the browser: the link, the form, the poll in the chat, and clear errors."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from chats.models import Chat, Poll
from chats.services.sync import chats_sync_organisation
from tests.factories import ClassFactory, OrganisationFactory, admin_of, curator_of, student_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    org = OrganisationFactory(time_zone="Asia/Vladivostok")
    a = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    b = ClassFactory(organisation=org, grade=5, letter="Б", name="5Б")
    s = {"org": org, "admin": admin_of(org), "curator_a": curator_of(a), "kid_a": student_in(a)}
    s["kid_b"] = student_in(b)
    curator_of(b)
    chats_sync_organisation(organisation=org)
    s["chat_a"] = Chat.objects.get(group=a, kind="class")
    s["general"] = Chat.objects.get(organisation=org, kind="general_channel")
    return s


def new_url(chat):
    return reverse("chats:poll_new", args=[chat.pk])


def body(**kwargs):
    fields = {
        "question": "Когда удобно провести собрание?",
        "option_1": "Вторник",
        "option_2": "",
        "option_3": "Четверг",
    }
    return {**fields, **kwargs}


def test_the_chat_page_links_to_the_form_for_those_who_may_post(client, school):
    client.force_login(school["kid_a"])
    assert new_url(school["chat_a"]) in client.get(reverse("chats:chat", args=[school["chat_a"].pk])).content.decode()
    # Only the owners post in the general channel: no link and no form for a student.
    assert (
        new_url(school["general"])
        not in client.get(reverse("chats:chat", args=[school["general"].pk])).content.decode()
    )
    assert client.get(new_url(school["general"])).status_code == 403
    client.force_login(school["kid_b"])
    assert client.get(new_url(school["chat_a"])).status_code == 404  # another class's chat


def test_the_form_creates_a_poll_that_appears_in_the_chat(client, school):
    client.force_login(school["curator_a"])
    html = client.get(new_url(school["chat_a"])).content.decode()
    assert html.count('name="option_') == 10 and 'for="id_option_10"' in html and "Вариант 10" in html
    assert "Владивосток (UTC+10)" in html
    response = client.post(
        new_url(school["chat_a"]),
        body(option_5="Суббота", multiple="on", anonymous="on", closes_at="2030-03-05T18:00"),
    )
    poll = Poll.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("chats:chat", args=[school["chat_a"].pk]) + f"#m{poll.message_id}"
    assert [o.text for o in poll.options.all()] == ["Вторник", "Четверг", "Суббота"]
    assert poll.multiple and poll.anonymous and poll.message.author == school["curator_a"]
    # 18:00 in Vladivostok is 08:00 UTC.
    assert poll.closes_at == datetime(2030, 3, 5, 8, 0, tzinfo=UTC)
    client.force_login(school["kid_a"])
    html = client.get(reverse("chats:chat", args=[school["chat_a"].pk])).content.decode()
    assert "Когда удобно провести собрание?" in html and "Суббота" in html and "Голосовать" in html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"option_3": ""}, "Укажите хотя бы два варианта ответа."),
        ({"option_3": " вторник "}, "Вариант «вторник» указан дважды"),
        ({"closes_at": "2020-01-01T10:00"}, "Это время уже прошло"),
        ({"question": "  "}, "Обязательное поле"),
    ],
)
def test_a_wrong_poll_shows_a_clear_error_and_creates_nothing(client, school, fields, message):
    client.force_login(school["curator_a"])
    response = client.post(new_url(school["chat_a"]), body(**fields))
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert 'value="Вторник"' in html  # what was typed stays in the form
    assert not Poll.objects.exists()


def test_the_chat_page_and_the_api_show_the_same_results_of_a_poll(client, api, school):
    """One selector answers both: the counts, the viewer's choice, who voted (none in an anonymous poll)."""
    from chats.services.polls import poll_create, poll_vote

    chat, kid, curator = school["chat_a"], school["kid_a"], school["curator_a"]
    open_poll = poll_create(chat=chat, actor=curator, question="Когда?", options=["Вторник", "Четверг"])
    secret = poll_create(chat=chat, actor=curator, question="Тайно?", options=["Да", "Нет"], anonymous=True)
    poll_vote(poll=open_poll, actor=curator, option_ids=[open_poll.options.order_by("position")[1].pk])
    secret_yes, secret_no = secret.options.order_by("position").values_list("pk", flat=True)
    poll_vote(poll=secret, actor=curator, option_ids=[secret_yes])
    api.force_authenticate(kid)
    answers = {}
    for poll in (open_poll, secret):
        first = poll.options.order_by("position")[0].pk
        url = f"/api/v1/chats/{chat.pk}/polls/{poll.pk}/vote/"
        response = api.post(url, {"options": [first]}, format="json")
        assert response.status_code == 200, response.content
        answers[poll.pk] = response.json()
    client.force_login(kid)
    rows = client.get(reverse("chats:chat", args=[chat.pk])).context["rows"]
    shown = {m.poll_view["id"]: m.poll_view for m in rows if m.poll_view}

    def summary(results, voter_id):
        return (
            results["total_voters"],
            results["closed"],
            [
                (o["id"], o["votes"], o["chosen"], None if o["voters"] is None else [voter_id(v) for v in o["voters"]])
                for o in results["options"]
            ],
        )

    for pk, answer in answers.items():
        assert summary(shown[pk], lambda v: v.pk) == summary(answer, lambda v: v["id"])
    assert summary(answers[secret.pk], None)[2] == [(secret_yes, 2, True, None), (secret_no, 0, False, None)]
    assert summary(shown[open_poll.pk], lambda v: v.pk)[2][0][3] == [kid.pk]
