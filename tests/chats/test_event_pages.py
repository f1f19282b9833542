"""The events pages: the list in the organisation's time zone, who sees what, scheduling, cancelling, and the
chat page's block."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chats.models import Chat, Event
from chats.services.events import event_create
from chats.services.sync import chats_sync_organisation
from orgs.models import Group
from tests.factories import (
    ClassFactory,
    OrganisationFactory,
    admin_of,
    curator_of,
    parent_of,
    student_in,
    teacher_of,
)

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script>'
# 08:00 UTC is 18:00 in Vladivostok (UTC+10), the school's zone, and 11:00 on the server's Moscow clock.
STARTS = datetime(2030, 3, 5, 8, 0, tzinfo=UTC)


@pytest.fixture
def school():
    org = OrganisationFactory(time_zone="Asia/Vladivostok")
    a = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    b = ClassFactory(organisation=org, grade=5, letter="Б", name="5Б")
    s = {"org": org, "a": a, "b": b, "staff": Group.objects.get(organisation=org, kind=Group.Kind.STAFF)}
    s["admin"] = admin_of(org)
    s["curator_a"] = curator_of(a)
    s["curator_b"] = curator_of(b)
    s["kid_a"] = student_in(a)
    s["kid_b"] = student_in(b)
    s["parent_a"] = parent_of(s["kid_a"], org)
    s["newcomer"] = teacher_of(org, verified=False)
    chats_sync_organisation(organisation=org)
    s["chat_a"] = Chat.objects.get(group=a, kind="class")
    return s


def make(s, actor=None, *, group=None, chat=None, **kwargs):
    fields = {"kind": "parents_meeting", "title": "Собрание 5А", "starts_at": STARTS, **kwargs}
    if chat is None:
        group = group or s["a"]
    return event_create(organisation=s["org"], actor=actor or s["curator_a"], group=group, chat=chat, **fields)


def list_url(s, past=False):
    return reverse("chats:event_list", args=[s["org"].pk]) + ("?when=past" if past else "")


def detail_url(s, event, name="chats:event"):
    return reverse(name, args=[s["org"].pk, event.pk])


def page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    return response.status_code, response.content.decode()


def test_the_list_shows_events_soonest_first_in_the_organisations_time_zone(client, school):
    later = make(
        school,
        starts_at=STARTS + timedelta(days=1),
        title="Итоги четверти",
        video_url="https://meet.example.ru/5a",
        description=f"Повестка:\n{XSS}",
        duration_minutes=90,
    )
    sooner = make(school, kind="meeting", title="Классный час")
    status, html = page(client, school["parent_a"], list_url(school))
    assert status == 200
    assert html.index("Классный час") < html.index("Итоги четверти")
    assert "5 марта 2030, 18:00" in html and "6 марта 2030, 18:00" in html and "11:00" not in html
    assert "Владивосток (UTC+10)" in html
    assert "Родительское собрание" in html and "Совещание" in html  # the kinds
    assert "5А — ученики и родители" in html and "90 мин." in html
    assert '<a href="https://meet.example.ru/5a" rel="noopener noreferrer">' in html
    assert "Повестка:<br>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html and XSS not in html
    assert detail_url(school, later) in html and detail_url(school, sooner) in html


def test_a_class_event_is_seen_by_its_students_and_parents_not_by_another_class(client, school):
    event = make(school, title="Собрание только для 5А")
    for name in ("kid_a", "parent_a", "curator_a", "admin"):
        assert "Собрание только для 5А" in page(client, school[name], list_url(school))[1], name
        assert page(client, school[name], detail_url(school, event))[0] == 200, name
    for name in ("kid_b", "curator_b"):
        status, html = page(client, school[name], list_url(school))
        assert status == 200 and "Собрание только для 5А" not in html and "Ближайших событий нет." in html
        assert page(client, school[name], detail_url(school, event))[0] == 404, name
    # Someone of another organisation: neither the list nor the event exists for them.
    stranger = admin_of(OrganisationFactory())
    assert page(client, stranger, list_url(school))[0] == 404
    assert page(client, stranger, detail_url(school, event))[0] == 404


def test_a_staff_event_is_seen_by_staff_not_by_students(client, school):
    event = make(school, school["admin"], group=school["staff"], kind="meeting", title="Педсовет")
    assert "Педсовет" in page(client, school["curator_b"], list_url(school))[1]
    assert "Учительская — все сотрудники" in page(client, school["curator_b"], detail_url(school, event))[1]
    assert "Педсовет" not in page(client, school["kid_a"], list_url(school))[1]
    assert page(client, school["parent_a"], detail_url(school, event))[0] == 404


def test_past_events_are_behind_a_link_and_the_list_is_paginated(client, school):
    past = make(school, title="Прошлое собрание")
    Event.objects.filter(pk=past.pk).update(starts_at=timezone.now() - timedelta(days=3))
    for n in range(22):
        make(school, title=f"Событие №{n:02d}", starts_at=STARTS + timedelta(hours=n))
    status, html = page(client, school["kid_a"], list_url(school))
    assert "Прошлое собрание" not in html and "Событие №00" in html and "Событие №19" in html
    assert "Событие №20" not in html and "Страница 1 из 2" in html and "?when=past" in html
    html = client.get(list_url(school) + "?page=2").content.decode()
    assert "Событие №21" in html and "Событие №00" not in html
    status, html = page(client, school["kid_a"], list_url(school, past=True))
    assert status == 200 and "Прошлое собрание" in html and "Событие №00" not in html


def test_the_list_takes_the_same_number_of_queries_for_few_and_many_events(client, school):
    client.force_login(school["parent_a"])
    counts = []
    for n in (1, 15):
        for hours in range(n):
            make(school, starts_at=STARTS + timedelta(hours=hours))
            make(school, chat=school["chat_a"], starts_at=STARTS + timedelta(hours=hours))
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(list_url(school)).status_code == 200
        counts.append(len(ctx))
    assert counts[0] == counts[1], counts


# --- Scheduling ---------------------------------------------------------------------------------------


def new_url(s):
    return reverse("chats:event_new", args=[s["org"].pk])


def form_body(s, **kwargs):
    return {
        "kind": "parents_meeting",
        "title": "Родительское собрание",
        "starts_at": "2030-03-05T18:00",
        "duration_minutes": "60",
        "audience": f"group-{s['a'].pk}",
        "video_url": "https://meet.example.ru/5a",
        "description": "Итоги четверти",
        "reminder_minutes_before": "60",
        **kwargs,
    }


def test_the_curator_schedules_for_own_class_in_local_time(client, school):
    status, html = page(client, school["curator_a"], new_url(school))
    assert status == 200
    assert f'value="group-{school["a"].pk}"' in html and f'value="group-{school["b"].pk}"' not in html
    assert f'value="group-{school["staff"].pk}"' not in html and f'value="chat-{school["chat_a"].pk}"' in html
    assert 'type="datetime-local"' in html and "Владивосток (UTC+10)" in html
    response = client.post(new_url(school), form_body(school))
    event = Event.objects.get()
    assert response.status_code == 302 and response.url == detail_url(school, event)
    assert event.starts_at == STARTS and event.group == school["a"] and event.chat is None
    assert event.duration_minutes == 60 and event.created_by == school["curator_a"]
    html = client.get(response.url).content.decode()
    assert "Событие запланировано." in html and "5 марта 2030, 18:00" in html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"video_url": "http://meet.example.ru/5a"}, "должна начинаться с https://"),
        ({"starts_at": "2020-03-05T18:00"}, "только на будущее время"),
        ({"audience": ""}, "Обязательное поле"),
        ({"title": ""}, "Обязательное поле"),
    ],
)
def test_a_wrong_form_shows_a_clear_error_and_schedules_nothing(client, school, fields, message):
    client.force_login(school["curator_a"])
    response = client.post(new_url(school), form_body(school, **fields))
    assert response.status_code == 200 and message in response.content.decode()
    assert not Event.objects.exists()


def test_nobody_schedules_for_a_group_they_may_not(client, school):
    client.force_login(school["curator_a"])
    response = client.post(new_url(school), form_body(school, audience=f"group-{school['b'].pk}"))
    assert response.status_code == 200 and "Выберите корректный вариант" in response.content.decode()
    # Students write in their class chat but schedule nothing: no form, and a posted one is refused.
    status, _html = page(client, school["kid_a"], new_url(school))
    assert status == 403
    response = client.post(new_url(school), form_body(school))
    assert response.status_code == 403 and not Event.objects.exists()
    # An unverified teacher posts in no chat and schedules for no class: no button, no form.
    status, html = page(client, school["newcomer"], list_url(school))
    assert status == 200 and "Запланировать" not in html
    assert client.get(new_url(school)).status_code == 403
    assert "Запланировать" not in page(client, school["kid_a"], list_url(school))[1]
    assert "Запланировать" in page(client, school["curator_a"], list_url(school))[1]


def test_cancelling_asks_for_confirmation_and_only_the_allowed_may(client, school):
    event = make(school)
    cancel = detail_url(school, event, "chats:event_cancel")
    assert cancel not in page(client, school["kid_a"], detail_url(school, event))[1]
    assert client.get(cancel).status_code == 403
    assert client.post(cancel).status_code == 403
    assert page(client, school["kid_b"], cancel)[0] == 404
    status, html = page(client, school["curator_a"], detail_url(school, event))
    assert cancel in html
    status, html = page(client, school["curator_a"], cancel)
    assert status == 200 and "Отменить событие?" in html and "Да, отменить событие" in html
    event.refresh_from_db()
    assert event.cancelled_at is None
    response = client.post(cancel)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.cancelled_at is not None
    assert "Событие отменено." in client.get(response.url).content.decode()
    assert "Собрание 5А" not in page(client, school["kid_a"], list_url(school))[1]


# --- The chat page ----------------------------------------------------------------------------------------


def test_the_chat_page_lists_at_most_three_upcoming_events_in_fixed_queries(client, school):
    chat_url = reverse("chats:chat", args=[school["chat_a"].pk])
    client.force_login(school["kid_a"])
    assert "Ближайшие события" not in client.get(chat_url).content.decode()
    counts = []
    make(school, chat=school["chat_a"], kind="broadcast", title="Трансляция линейки")
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(chat_url).content.decode()
    counts.append(len(ctx))
    assert "Ближайшие события" in html and "Трансляция линейки" in html and "5 марта 2030, 18:00" in html
    make(school, kind="meeting", title="Классный час 5А", starts_at=STARTS - timedelta(hours=1))  # for the class
    make(school, school["curator_b"], group=school["b"], kind="meeting", title="Классный час 5Б")
    for n in range(4):
        make(school, chat=school["chat_a"], title=f"Позднее №{n}", starts_at=STARTS + timedelta(days=1))
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(chat_url).content.decode()
    counts.append(len(ctx))
    assert counts[0] == counts[1], counts
    assert html.index("Классный час 5А") < html.index("Трансляция линейки") < html.index("Позднее №0")
    assert "Позднее №1" not in html and "Классный час 5Б" not in html
