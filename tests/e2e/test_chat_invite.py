"""An invite into a chat in the browser: the administrator makes a link on the chat's invite page, a student of the
organisation opens it and lands in the chat; an outsider is told to join the organisation first."""

import pytest
from playwright.sync_api import expect

from chats.models import Chat, ChatMember
from chats.services.sync import chats_sync_organisation
from invites.models import Invite
from tests.factories import ClassFactory, OrganisationFactory, UserFactory, admin_of, curator_of, student_in, teacher_of

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pass-Word-123"
TITLE = "Робототехника 5А"


@pytest.fixture
def school():
    org = OrganisationFactory(short_name="Школа № 7", time_zone="Asia/Irkutsk")
    cls = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    curator = curator_of(cls, teacher_of(org))
    students = [student_in(cls, UserFactory(last_name=f"Ученик{n}")) for n in range(3)]
    chats_sync_organisation(organisation=org)
    chat = Chat.objects.create(organisation=org, kind="other", title=TITLE, group=cls, created_by=curator)
    ChatMember.objects.create(chat=chat, user=curator, role="owner")
    for student in students[:2]:
        ChatMember.objects.create(chat=chat, user=student)
    return {"org": org, "admin": admin_of(org), "chat": chat, "newcomer": students[2]}


def sign_in(page, base, user):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Телефон или e-mail").fill(user.phone)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("button", name="Выйти").first).to_be_visible()


def test_admin_invites_into_a_chat_and_a_student_lands_in_it(
    page, browser, browser_context_args, live_server, axe_check, school
):
    base = live_server.url
    chat = school["chat"]

    # The administrator opens the chat and its invite page.
    sign_in(page, base, school["admin"])
    page.goto(f"{base}/chats/{chat.pk}/")
    page.get_by_role("link", name="Пригласить в чат").click()
    expect(page.get_by_role("heading", name=f"Пригласить в чат «{TITLE}»")).to_be_visible()
    expect(page.get_by_text("Действующих ссылок в этот чат пока нет.")).to_be_visible()
    axe_check(page)

    page.get_by_role("radio", name="Ученики").check()
    page.get_by_role("radio", name="Несколько человек").check()
    page.get_by_label("Число человек").fill("25")
    page.get_by_role("button", name="Создать ссылку").click()
    invite = Invite.objects.get(target_chat=chat)
    card = page.locator(f"#invite-{invite.pk}")
    expect(card.get_by_role("img", name=f"QR-код ссылки № {invite.pk}")).to_be_visible()
    link = card.get_by_role("textbox").input_value()
    assert "/join/" in link
    card.get_by_role("button", name="Скопировать").click()  # the copy script runs under the strict CSP
    expect(card.get_by_role("status")).to_have_text("Ссылка скопирована.")
    axe_check(page)

    # At a phone's width the page does not scroll sideways.
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth") <= 0

    # A student of the organisation opens the link in their own browser and joins.
    path = "/join/" + link.rstrip("/").rsplit("/", 1)[1] + "/"
    context = browser.new_context(**browser_context_args)
    student = context.new_page()
    sign_in(student, base, school["newcomer"])
    student.goto(base + path)
    expect(student.get_by_role("heading", name=f"Приглашение в чат «{TITLE}»")).to_be_visible()
    axe_check(student)
    student.get_by_role("button", name="Присоединиться").click()
    expect(student.get_by_text(f"Вы вступили в чат «{TITLE}».")).to_be_visible()
    student.get_by_role("link", name=f"Открыть чат «{TITLE}»").click()
    expect(student.get_by_role("heading", name=TITLE)).to_be_visible()
    assert ChatMember.objects.filter(chat=chat, user=school["newcomer"], left_at__isnull=True).count() == 1

    # Someone outside the organisation is told to join it first, and gets no button.
    outsider = UserFactory()
    stranger = browser.new_context(**browser_context_args).new_page()
    sign_in(stranger, base, outsider)
    stranger.goto(base + path)
    expect(stranger.get_by_text("Сначала вступите в организацию по ссылке класса или сотрудников.")).to_be_visible()
    expect(stranger.get_by_role("button", name="Присоединиться")).to_have_count(0)
    assert not ChatMember.objects.filter(chat=chat, user=outsider).exists()
    context.close()
    stranger.context.close()  # an open context keeps the live server busy after the test
