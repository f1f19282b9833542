"""Events and polls in the browser: a curator schedules a parents' meeting that a parent then sees, and creates a
poll from the form."""

import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from chats.models import Chat, Event, Poll
from chats.services.sync import chats_sync_organisation
from orgs.models import Membership
from tests.e2e.test_chats import sign_in
from tests.factories import ClassFactory, OrganisationFactory, UserFactory, curator_of, member, parent_of, student_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def school():
    org = OrganisationFactory(short_name="Школа № 7", time_zone="Asia/Irkutsk")
    cls = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    other = ClassFactory(organisation=org, grade=5, letter="Б", name="5Б")
    teacher = member(org, Membership.Role.TEACHER, UserFactory(last_name="Иванова", first_name="Мария")).user
    curator = curator_of(cls, teacher)
    curator_of(other)
    student = student_in(cls, UserFactory(last_name="Дашиев", first_name="Тимур"))
    parent = parent_of(student, org, UserFactory(last_name="Дашиева", first_name="Оюна"))
    chats_sync_organisation(organisation=org)
    return {"org": org, "cls": cls, "curator": curator, "student": student, "parent": parent}


def option_label(n):
    return re.compile(rf"^Вариант {n}:?$")


def no_sideways_scroll(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways on a phone"


def test_a_curator_schedules_a_parents_meeting_and_a_parent_sees_it(
    page, browser, browser_context_args, live_server, axe_check, screenshots, school
):
    base = live_server.url
    org = school["org"]
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, base, school["curator"])
    page.goto(f"{base}/orgs/{org.pk}/chats/")
    page.get_by_role("link", name="События").click()
    expect(page.get_by_role("heading", name="Ближайшие события")).to_be_visible()
    expect(page.get_by_text("Ближайших событий нет.")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Запланировать").click()
    expect(page.get_by_role("heading", name="Запланировать событие")).to_be_visible()
    axe_check(page)
    no_sideways_scroll(page)

    page.get_by_label("Вид события").select_option(label="родительское собрание")
    page.get_by_label("Название").fill("Собрание по итогам четверти")
    page.get_by_label("Начало").fill("2030-03-05T18:00")
    page.get_by_label("Для кого").select_option(label="5А — ученики и родители")
    page.get_by_label("Ссылка на видеосвязь").fill("http://meet.example.ru/5a")
    page.get_by_label("Описание").fill("Повестка:\n<b>оценки</b>")
    page.get_by_role("button", name="Запланировать").click()
    # A plain http link is refused with a clear message, and what was typed stays.
    expect(page.get_by_text("Ссылка на видеосвязь должна начинаться с https://.")).to_be_visible()
    expect(page.get_by_label("Название")).to_have_value("Собрание по итогам четверти")
    axe_check(page)
    page.get_by_label("Ссылка на видеосвязь").fill("https://meet.example.ru/5a")
    page.get_by_role("button", name="Запланировать").click()
    expect(page.get_by_text("Событие запланировано.")).to_be_visible()
    expect(page.get_by_role("heading", name="Собрание по итогам четверти")).to_be_visible()
    axe_check(page)
    no_sideways_scroll(page)
    page.screenshot(path=screenshots / "event-detail-phone.png", full_page=True)
    event = Event.objects.get()
    # 18:00 in Irkutsk (UTC+8) is 10:00 UTC.
    assert event.group == school["cls"] and event.starts_at == datetime(2030, 3, 5, 10, 0, tzinfo=UTC)

    parent_context = browser.new_context(**browser_context_args)
    parent_page = parent_context.new_page()
    parent_page.set_viewport_size({"width": 360, "height": 740})
    sign_in(parent_page, base, school["parent"])
    parent_page.goto(f"{base}/orgs/{org.pk}/events/")
    card = parent_page.locator(".event-card", has_text="Собрание по итогам четверти")
    expect(card).to_be_visible()
    expect(card.get_by_text("5 марта 2030, 18:00")).to_be_visible()
    expect(card.get_by_text("5А — ученики и родители")).to_be_visible()
    expect(card.get_by_text("<b>оценки</b>")).to_be_visible()  # shown as text
    link = card.get_by_role("link", name="https://meet.example.ru/5a")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
    axe_check(parent_page)
    no_sideways_scroll(parent_page)
    parent_page.screenshot(path=screenshots / "events-phone.png", full_page=True)
    # The parent sees the meeting in the parents' chat too.
    chat = Chat.objects.get(group=school["cls"], kind="class_parents")
    parent_page.goto(f"{base}/chats/{chat.pk}/")
    expect(parent_page.get_by_role("heading", name="Ближайшие события")).to_be_visible()
    parent_page.get_by_role("link", name="Собрание по итогам четверти").click()
    expect(parent_page.get_by_role("heading", name="Собрание по итогам четверти")).to_be_visible()
    expect(parent_page.get_by_role("link", name="Отменить событие")).to_have_count(0)
    axe_check(parent_page)
    parent_context.close()


def test_a_curator_creates_a_poll_from_the_form(page, live_server, axe_check, school):
    base = live_server.url
    chat = Chat.objects.get(group=school["cls"], kind="class_parents")
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, base, school["curator"])
    page.goto(f"{base}/chats/{chat.pk}/")
    page.get_by_role("link", name="Создать опрос").click()
    expect(page.get_by_role("heading", name="Новый опрос")).to_be_visible()
    axe_check(page)
    no_sideways_scroll(page)

    page.get_by_label("Вопрос").fill("Когда удобно провести собрание?")
    page.get_by_label(option_label(1)).fill("Вторник")
    page.get_by_role("button", name="Опубликовать опрос").click()
    expect(page.get_by_text("Укажите хотя бы два варианта ответа.")).to_be_visible()
    axe_check(page)
    page.get_by_label(option_label(2)).fill("Четверг")
    page.get_by_label(option_label(4)).fill("Суббота")
    page.get_by_label("Можно выбрать несколько вариантов").check()
    page.get_by_role("button", name="Опубликовать опрос").click()

    expect(page.get_by_text("Опрос опубликован.")).to_be_visible()
    expect(page.locator(".chat-poll", has_text="Когда удобно провести собрание?")).to_be_visible()
    expect(page.get_by_label("Суббота")).to_be_visible()
    assert "#m" in page.url
    axe_check(page)
    poll = Poll.objects.get()
    assert poll.multiple and [o.text for o in poll.options.all()] == ["Вторник", "Четверг", "Суббота"]
