"""Managing chats in the browser: the director creates a chat with the deputies from the form, on a phone; the
administrator looks through every chat of the organisation and archives one."""

import pytest
from playwright.sync_api import expect

from chats.models import Chat, ChatMember
from chats.services.manage import chat_create
from chats.services.sync import chats_sync_organisation
from tests.factories import ClassFactory, OrganisationFactory, UserFactory, admin_of, member, student_in, teacher_of

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pass-Word-123"
XSS = '<img src=x onerror="window.__xss=1">'


@pytest.fixture
def school():
    org = OrganisationFactory(short_name="Школа № 3", time_zone="Asia/Irkutsk")
    cls = ClassFactory(organisation=org, grade=7, letter="В", name="7В")
    director = member(org, "teacher", UserFactory(last_name="Цыренова", first_name="Баярма"), position="director").user
    # The whole names are fixed: the filter «Борис» below must find Борисова only (a random patronymic such as
    # «Борисовна» would match too).
    deputies = [
        member(
            org, "teacher", UserFactory(last_name=name, first_name="Ирина", patronymic="Сергеевна"), position="deputy"
        ).user
        for name in ("Алексеева", "Борисова")
    ]
    # Enough staff for the picker to need its filter.
    teachers = [teacher_of(org) for _ in range(30)]
    for _ in range(3):
        student_in(cls)
    admin = admin_of(org)
    chats_sync_organisation(organisation=org)
    return {"org": org, "director": director, "deputies": deputies, "teachers": teachers, "admin": admin}


def sign_in(page, base, user):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Телефон или e-mail").fill(user.phone)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("button", name="Выйти").first).to_be_visible()


def test_the_director_creates_a_chat_with_the_deputies_on_a_phone(page, live_server, axe_check, screenshots, school):
    base, org = live_server.url, school["org"]
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, base, school["director"])
    page.goto(f"{base}/orgs/{org.pk}/chats/")
    page.get_by_role("link", name="Создать чат").click()
    expect(page.get_by_role("heading", name="Новый чат")).to_be_visible()
    expect(page.get_by_label("Другой чат (например, для класса)")).to_have_count(0)  # he teaches no class
    axe_check(page)
    page.get_by_label("Руководитель и заместители").check()
    page.get_by_role("button", name="Далее: название и участники").click()

    # The deputies are ticked already; the staff are not offered in this chat.
    first, second = school["deputies"]
    expect(page.get_by_label(first.full_name)).to_be_checked()
    expect(page.get_by_label(second.full_name)).to_be_checked()
    expect(page.get_by_label(school["teachers"][0].full_name)).to_have_count(0)
    page.get_by_label("Найти по имени, классу или должности").fill("Борис")
    expect(page.get_by_label(first.full_name)).to_be_hidden()
    expect(page.get_by_label(second.full_name)).to_be_visible()
    page.get_by_label(second.full_name).uncheck()
    expect(page.get_by_text("Отмечено: 1")).to_be_visible()
    page.get_by_label("Найти по имени, классу или должности").fill("")
    page.get_by_label("Название").fill("Планёрка " + XSS)
    axe_check(page)
    page.screenshot(path=screenshots / "chat-create-phone.png", full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, "the form scrolls sideways on a phone"
    page.get_by_role("button", name="Создать чат").click()

    title = "Планёрка " + XSS
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_text(f"Чат «{title}» создан.")).to_be_visible()
    assert page.evaluate("window.__xss") is None
    chat = Chat.objects.get(kind="mgmt_deputies")
    assert dict(ChatMember.objects.filter(chat=chat, left_at__isnull=True).values_list("user_id", "role")) == {
        school["director"].pk: "owner",
        first.pk: "member",
    }
    page.get_by_role("link", name="Все чаты").first.click()
    expect(page.get_by_role("link", name=title)).to_be_visible()
    axe_check(page)


def test_the_administrator_sees_every_chat_and_archives_one(page, live_server, axe_check, school):
    base, org = live_server.url, school["org"]
    chat = chat_create(
        organisation=org, actor=school["director"], kind="mgmt_teachers", title="Педсовет " + XSS, member_ids=()
    )
    private = chat_create(organisation=org, actor=school["director"], kind="mgmt_deputies", title="Заместители")
    assert not ChatMember.objects.filter(chat=private, user=school["admin"]).exists()
    sign_in(page, base, school["admin"])
    page.goto(f"{base}/orgs/{org.pk}/chats/")
    expect(page.get_by_role("link", name="Заместители")).to_have_count(0)  # not his chat
    page.get_by_role("link", name="Все чаты организации").click()
    expect(page.get_by_role("heading", name="Все чаты организации")).to_be_visible()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=chat.title))
    expect(row).to_contain_text("Цыренова Баярма")  # the owner
    expect(row.get_by_role("cell").nth(2)).to_have_text(str(ChatMember.objects.filter(chat=chat).count()))
    expect(page.get_by_role("link", name="Заместители")).to_be_visible()  # every chat, his or not
    expect(page.get_by_role("link", name="Общешкольный канал")).to_be_visible()
    axe_check(page)
    page.get_by_label("Вид").select_option("mgmt_teachers")
    page.get_by_role("button", name="Показать").click()
    expect(page.get_by_text("Найден 1 чат.")).to_be_visible()

    page.get_by_role("link", name=chat.title).click()
    page.get_by_role("button", name="Перенести в архив").click()
    expect(page.get_by_text("Чат перенесён в архив: писать в него нельзя.")).to_be_visible()
    expect(page.get_by_role("button", name="Вернуть из архива")).to_be_visible()
    axe_check(page)
    assert page.evaluate("window.__xss") is None
    chat.refresh_from_db()
    assert chat.is_archived
