"""Moderation in the browser: a student reports a message, the curator settles it from the queue on a phone;
the members page with its mute and removal controls."""

import pytest
from playwright.sync_api import expect

from chats.models import Chat, ChatMember, Message, Report
from chats.services.messages import message_post
from chats.services.sync import chats_sync_organisation
from tests.factories import (
    ClassFactory,
    OrganisationFactory,
    UserFactory,
    curator_of,
    member,
    student_in,
    teacher_of,
)

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pass-Word-123"
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>'


@pytest.fixture
def school():
    org = OrganisationFactory(short_name="Школа № 7", time_zone="Asia/Irkutsk")
    cls = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    curator = curator_of(cls, member(org, "teacher", UserFactory(last_name="Иванова", first_name="Мария")).user)
    reporter = student_in(cls, UserFactory(last_name="Дашиев", first_name="Тимур"))
    author = student_in(cls, UserFactory(last_name="Петров", first_name="Олег"))
    guest = teacher_of(org)
    chats_sync_organisation(organisation=org)
    chat = Chat.objects.get(group=cls, kind="class")
    ChatMember.objects.create(chat=chat, user=guest, managed_by_structure=False)
    return {"org": org, "chat": chat, "curator": curator, "reporter": reporter, "author": author, "guest": guest}


def sign_in(page, base, user):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Телефон или e-mail").fill(user.phone)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("button", name="Выйти").first).to_be_visible()


def no_sideways_scroll(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways on a phone"


def test_a_student_reports_and_the_curator_deletes_the_message_from_the_queue(
    page, browser, browser_context_args, live_server, axe_check, school
):
    base = live_server.url
    chat = school["chat"]
    bad = message_post(chat=chat, actor=school["author"], text=f"Обидные слова {XSS}")

    # The student reports it from the chat page, on a phone.
    student_context = browser.new_context(**browser_context_args)
    student = student_context.new_page()
    student.set_viewport_size({"width": 360, "height": 740})
    sign_in(student, base, school["reporter"])
    student.goto(f"{base}/chats/{chat.pk}/")
    row = student.locator(f"#m{bad.pk}")
    row.get_by_role("link", name="Пожаловаться").click()
    form = student.locator("#report-form")
    expect(student.locator(".chat-report blockquote")).to_contain_text("Обидные слова")
    form.get_by_label("Причина").select_option(label="Оскорбление или травля")
    form.get_by_label("Комментарий (необязательно)").fill("Обзывает одноклассника")
    axe_check(student)
    form.get_by_role("button", name="Отправить жалобу").click()
    expect(student.get_by_text("Спасибо! Жалоба отправлена модераторам чата.")).to_be_visible()
    no_sideways_scroll(student)
    student_context.close()

    # The curator finds the queue from the chat list, with the count, and deletes the message.
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, base, school["curator"])
    page.goto(f"{base}/orgs/{school['org'].pk}/chats/")
    expect(page.get_by_text("ждут решения: 1")).to_be_visible()
    page.get_by_role("link", name="Жалобы на сообщения").click()
    expect(page.get_by_role("heading", name="Жалобы на сообщения")).to_be_visible()
    card = page.locator(".report").first
    expect(card.get_by_text("Обзывает одноклассника")).to_be_visible()
    expect(card.locator(".report-text")).to_contain_text("<script>window.__xss=1</script>")
    expect(card.get_by_text("Дашиев Тимур")).to_be_visible()
    axe_check(page)
    no_sideways_scroll(page)
    card.get_by_role("button", name="Удалить сообщение").click()
    expect(page.get_by_text("Сообщение удалено, жалоба закрыта.")).to_be_visible()
    expect(page.get_by_text("Новых жалоб нет.")).to_be_visible()
    assert page.evaluate("window.__xss") is None

    # In the chat the marker stays and the text is gone.
    page.goto(f"{base}/chats/{chat.pk}/")
    expect(page.locator(f"#m{bad.pk}")).to_contain_text("Сообщение удалено")
    expect(page.get_by_text("Обидные слова")).to_have_count(0)
    assert Message.objects.get(pk=bad.pk).is_deleted
    assert Report.objects.get().status == Report.Status.MESSAGE_DELETED


def test_the_curator_mutes_and_removes_on_the_members_page(page, live_server, axe_check, school):
    base = live_server.url
    chat = school["chat"]
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, base, school["curator"])
    page.goto(f"{base}/chats/{chat.pk}/")
    page.get_by_role("link", name="Участники чата").click()
    expect(page.get_by_role("heading", name=f"Участники чата «{chat.title}»")).to_be_visible()
    axe_check(page)
    no_sideways_scroll(page)

    author = school["author"]
    card = page.locator("li.card", has_text=author.full_name)
    card.get_by_label("Запретить писать").select_option(label="на 1 день")
    card.get_by_role("button", name="Ограничить").click()
    expect(page.get_by_text("Участнику запрещено писать в чат.")).to_be_visible()
    card = page.locator("li.card", has_text=author.full_name)
    expect(card.get_by_text("не может писать до")).to_be_visible()
    axe_check(page)

    guest = page.locator("li.card", has_text=school["guest"].full_name)
    guest.get_by_text("Исключить из чата").click()
    guest.get_by_role("button", name="Да, исключить").click()
    expect(page.get_by_text("Участник исключён из чата.")).to_be_visible()
    expect(page.locator("li.card", has_text=school["guest"].full_name)).to_have_count(0)
    assert ChatMember.objects.get(chat=chat, user=author, left_at__isnull=True).is_muted()
