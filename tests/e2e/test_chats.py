"""Chats in the browser: a curator posts and a student sees it arrive without reloading; a parent votes."""

import pytest
from playwright.sync_api import expect

from chats.models import Chat, Message, PollVote
from chats.services.messages import message_post
from chats.services.polls import poll_create
from chats.services.sync import chats_sync_organisation
from tests.factories import ClassFactory, OrganisationFactory, UserFactory, curator_of, parent_of, student_in

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pass-Word-123"
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>'


@pytest.fixture
def school():
    org = OrganisationFactory(short_name="Школа № 7", time_zone="Asia/Irkutsk")
    cls = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    curator = curator_of(cls, UserFactory(last_name="Иванова", first_name="Мария"))
    student = student_in(cls, UserFactory(last_name="Дашиев", first_name="Тимур"))
    parent = parent_of(student, org, UserFactory(last_name="Дашиева", first_name="Оюна"))
    chats_sync_organisation(organisation=org)
    return {"org": org, "cls": cls, "curator": curator, "student": student, "parent": parent}


def sign_in(page, base, user):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Телефон или e-mail").fill(user.phone)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("button", name="Выйти").first).to_be_visible()


def no_dialogs(page):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    return dialogs


def test_curator_posts_and_the_student_sees_it_without_reloading(
    page, browser, browser_context_args, live_server, axe_check, school
):
    base = live_server.url
    chat = Chat.objects.get(group=school["cls"], kind="class")
    message_post(chat=chat, actor=school["curator"], text="Добро пожаловать в чат класса!")

    # The student opens the chat list, then the class chat, and keeps it open.
    student_context = browser.new_context(**browser_context_args)
    student_page = student_context.new_page()
    sign_in(student_page, base, school["student"])
    student_page.goto(f"{base}/orgs/{school['org'].pk}/chats/")
    expect(student_page.get_by_role("heading", name="Чаты классов")).to_be_visible()
    expect(student_page.get_by_text("новых: 1")).to_be_visible()
    axe_check(student_page)
    student_page.get_by_role("link", name=chat.title).click()
    expect(student_page.get_by_role("heading", name=chat.title)).to_be_visible()
    expect(student_page.get_by_text("Добро пожаловать в чат класса!")).to_be_visible()
    student_dialogs = no_dialogs(student_page)
    student_page.evaluate("window.__notReloaded = true")  # a reload would lose it
    axe_check(student_page)

    # The curator posts from their own browser.
    sign_in(page, base, school["curator"])
    page.goto(f"{base}/chats/{chat.pk}/")
    page.get_by_role("textbox", name="Сообщение").fill("Завтра классный час в 8:00, кабинет 12.")
    page.get_by_role("button", name="Отправить").click()
    expect(page.locator(".chat-text", has_text="Завтра классный час в 8:00, кабинет 12.")).to_be_visible()
    page.get_by_role("textbox", name="Сообщение").fill(XSS)
    page.get_by_role("button", name="Отправить").click()
    expect(page.locator(".chat-text", has_text="<script>window.__xss=1</script>")).to_be_visible()
    axe_check(page)

    # It arrives on the student's open page by polling, with no reload, and the markup shows as text.
    expect(student_page.locator(".chat-text", has_text="Завтра классный час в 8:00, кабинет 12.")).to_be_visible(
        timeout=15_000
    )
    expect(student_page.locator(".chat-text", has_text="<script>window.__xss=1</script>")).to_be_visible(timeout=15_000)
    assert student_page.evaluate("window.__notReloaded") is True
    assert student_page.evaluate("window.__xss") is None
    assert not student_dialogs
    assert Message.objects.filter(chat=chat, author=school["curator"]).count() == 3
    student_context.close()


def test_a_parent_votes_in_a_poll(page, live_server, axe_check, screenshots, school):
    base = live_server.url
    chat = Chat.objects.get(group=school["cls"], kind="class_parents")
    poll = poll_create(
        chat=chat, actor=school["curator"], question="Когда удобно провести собрание?", options=["Вторник", "Четверг"]
    )
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, base, school["parent"])
    page.goto(f"{base}/orgs/{school['org'].pk}/chats/")
    axe_check(page)
    page.get_by_role("link", name=chat.title).click()
    expect(page.get_by_text("Когда удобно провести собрание?")).to_be_visible()
    axe_check(page)
    page.get_by_label("Четверг").check()
    page.get_by_role("button", name="Голосовать").click()
    expect(page.get_by_text("Ваш голос учтён.")).to_be_visible()
    expect(page.get_by_text("Проголосовали: 1")).to_be_visible()
    expect(page.get_by_label("Четверг")).to_be_checked()
    axe_check(page)
    page.screenshot(path=screenshots / "chat-poll-phone.png", full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, "the chat page scrolls sideways on a phone"
    assert list(PollVote.objects.filter(option__poll=poll).values_list("user_id", "option__text")) == [
        (school["parent"].pk, "Четверг")
    ]


def test_the_curator_pins_and_deletes_a_message_with_the_rows_buttons(page, live_server, axe_check, school):
    """Every row's «Закрепить» and «Удалить» submit the page's one form to that row's address: the right message
    is pinned, then deleted, with the same messages as before."""
    base = live_server.url
    chat = Chat.objects.get(group=school["cls"], kind="class")
    keep = message_post(chat=chat, actor=school["curator"], text="Родительское собрание в четверг")
    gone = message_post(chat=chat, actor=school["student"], text="Сообщение не по теме")
    sign_in(page, base, school["curator"])
    page.goto(f"{base}/chats/{chat.pk}/")
    page.locator(f"#m{keep.pk}").get_by_role("button", name="Закрепить").click()
    expect(page.get_by_text("Сообщение закреплено.")).to_be_visible()
    expect(page.get_by_role("heading", name="Закреплённые сообщения")).to_be_visible()
    expect(page.locator(f"#m{keep.pk}").get_by_role("button", name="Открепить")).to_be_visible()
    page.locator(f"#m{gone.pk}").get_by_role("button", name="Удалить").click()
    expect(page.get_by_text("Сообщение удалено.")).to_be_visible()
    expect(page.locator(f"#m{gone.pk}")).to_contain_text("Сообщение удалено")
    axe_check(page)
    keep.refresh_from_db()
    gone.refresh_from_db()
    assert keep.pinned_at is not None and keep.deleted_at is None
    assert gone.deleted_at is not None and gone.text == ""
