"""Channels in the browser: an administrator posts in the general channel and a student reads it there; students
find no message form in a channel."""

import pytest
from playwright.sync_api import expect

from chats.models import Chat, Message
from chats.services.messages import message_post
from chats.services.sync import chats_sync_organisation
from orgs.models import Membership
from tests.e2e.test_chats import no_dialogs, sign_in
from tests.factories import ClassFactory, OrganisationFactory, UserFactory, curator_of, member, student_in

pytestmark = pytest.mark.django_db(transaction=True)

POST = "Уважаемые родители и ученики! 1 сентября линейка начнётся в 9:00 во дворе школы."
ONLY_LEADERS = "В этом канале пишут только администраторы и руководитель."


@pytest.fixture
def school():
    org = OrganisationFactory(short_name="Школа № 3", time_zone="Asia/Irkutsk")
    admin = member(org, Membership.Role.ADMIN, UserFactory(last_name="Цыренова", first_name="Анна")).user
    cls = ClassFactory(organisation=org, grade=7, letter="Б", name="7Б")
    curator_of(cls, UserFactory(last_name="Петров", first_name="Олег"))
    student = student_in(cls, UserFactory(last_name="Бадмаев", first_name="Арсалан"))
    chats_sync_organisation(organisation=org)
    channel = Chat.objects.get(organisation=org, kind=Chat.Kind.GENERAL_CHANNEL)
    return {"org": org, "admin": admin, "student": student, "channel": channel}


def open_channel(page, base, school):
    """From the chat list, under «Каналы», into the general channel."""
    page.goto(f"{base}/orgs/{school['org'].pk}/chats/")
    channels = page.locator("section", has=page.get_by_role("heading", name="Каналы"))
    channels.get_by_role("link", name=school["channel"].title).click()
    expect(page.get_by_role("heading", name=school["channel"].title, level=1)).to_be_visible()


def test_an_administrator_posts_in_the_general_channel_and_a_student_sees_it(
    page, browser, browser_context_args, live_server, axe_check, school
):
    base = live_server.url
    channel = school["channel"]

    # The student has the channel open before anything is posted.
    student_context = browser.new_context(**browser_context_args)
    student_page = student_context.new_page()
    sign_in(student_page, base, school["student"])
    open_channel(student_page, base, school)
    expect(student_page.get_by_text("Сообщений пока нет.")).to_be_visible()
    student_dialogs = no_dialogs(student_page)

    # The administrator posts from the channel page.
    sign_in(page, base, school["admin"])
    open_channel(page, base, school)
    page.get_by_role("textbox", name="Сообщение").fill(POST)
    page.get_by_role("button", name="Отправить").click()
    expect(page.locator(".chat-text", has_text=POST)).to_be_visible()
    axe_check(page)

    # It reaches the student's open page without a reload, with its author, and stays after one.
    expect(student_page.locator(".chat-text", has_text=POST)).to_be_visible(timeout=15_000)
    post = student_page.locator(".chat-msg", has_text=POST)
    expect(post.get_by_text("Цыренова Анна")).to_be_visible()
    student_page.reload()
    expect(student_page.locator(".chat-text", has_text=POST)).to_be_visible()
    expect(student_page.get_by_role("textbox", name="Сообщение")).to_have_count(0)
    axe_check(student_page)
    assert not student_dialogs
    assert list(Message.objects.filter(chat=channel).values_list("author_id", "text")) == [(school["admin"].pk, POST)]
    student_context.close()


def test_a_student_finds_no_message_form_in_the_channel(page, live_server, axe_check, screenshots, school):
    base = live_server.url
    message_post(chat=school["channel"], actor=school["admin"], text=POST)
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, base, school["student"])
    page.goto(f"{base}/orgs/{school['org'].pk}/chats/")
    expect(page.get_by_text("новых: 1")).to_be_visible()
    open_channel(page, base, school)
    expect(page.locator(".chat-text", has_text=POST)).to_be_visible()
    expect(page.get_by_text(ONLY_LEADERS)).to_be_visible()
    expect(page.locator("form#message-form")).to_have_count(0)
    expect(page.get_by_role("textbox", name="Сообщение")).to_have_count(0)
    expect(page.get_by_role("button", name="Отправить")).to_have_count(0)
    expect(page.get_by_role("link", name="Ответить")).to_have_count(0)
    axe_check(page)
    page.screenshot(path=screenshots / "channel-student-phone.png", full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, "the channel page scrolls sideways on a phone"
    assert Message.objects.filter(chat=school["channel"]).count() == 1
