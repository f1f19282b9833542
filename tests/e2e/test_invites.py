"""Joining by link in a real browser: a teacher, a student, a parent tied to a child, and an expired link."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from chats.models import Chat
from chats.services.sync import chats_sync_organisation
from invites.models import Invite
from invites.services import links
from orgs.models import Membership, ParentLink, Placement
from portal.accounts.models import User
from portal.accounts.senders import OutboxSmsSender
from tests.factories import ClassFactory, OrganisationFactory, UserFactory, admin_of, curator_of, student_in

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pass-Word-123"


@pytest.fixture
def school():
    org = OrganisationFactory(short_name="Школа № 7", time_zone="Asia/Irkutsk")
    return org, ClassFactory(organisation=org, grade=5, letter="А", name="5А"), admin_of(org)


def sign_in(page, base, identifier, axe_check=None):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Телефон или e-mail").fill(identifier)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()


def sign_out(page):
    page.get_by_role("button", name="Выйти").first.click()


def six_digits(text: str) -> str:
    return re.search(r"\b(\d{6})\b", text).group(1)


def assert_fits_phone(page, name, screenshots):
    page.screenshot(path=screenshots / f"{name}-phone.png", full_page=True)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the {name} page scrolls sideways on a phone"


def test_teacher_joins_by_link_and_lands_in_the_verification_queue(page, live_server, axe_check, screenshots, school):
    base = live_server.url
    org, _cls, admin = school

    # The administrator creates a teacher link and copies it from its page.
    sign_in(page, base, admin.phone)
    page.goto(f"{base}/orgs/{org.pk}/")
    page.get_by_role("navigation", name="Разделы организации").get_by_role("link", name="Приглашения").click()
    expect(page.get_by_role("heading", name="Ссылки-приглашения")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Создать ссылку").click()
    axe_check(page)
    page.get_by_role("link", name="Учитель — в коллектив").click()
    axe_check(page)
    page.get_by_label("Кому (ФИО)").fill("Аюшеев Баир Цыренович")
    page.get_by_role("button", name="Создать ссылку").click()
    expect(page.get_by_text("Ссылка создана.")).to_be_visible()
    axe_check(page)
    link = page.get_by_label("Ссылка-приглашение").input_value()
    assert link == links.invite_url(Invite.objects.get())
    path = link.split("://", 1)[1].split("/", 1)[1]
    page.set_viewport_size({"width": 360, "height": 740})
    assert_fits_phone(page, "invite-detail", screenshots)
    page.goto(f"{base}/orgs/{org.pk}/invites/")
    axe_check(page)
    assert_fits_phone(page, "invite-list", screenshots)
    sign_out(page)

    # The teacher opens it on a phone, signs up with a code from an SMS, and joins.
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{base}/{path}")
    expect(page.get_by_role("heading", name="Приглашение в «Школа № 7»")).to_be_visible()
    expect(page.get_by_text("«Учительская»")).to_be_visible()
    expect(page.get_by_text(re.compile(r"до \d{1,2} [а-я]+ \d{4}, \d\d:\d\d \(Иркутск\)"))).to_be_visible()
    axe_check(page)
    assert_fits_phone(page, "join-teacher", screenshots)
    page.get_by_label(re.compile(r"^Фамилия")).fill("Аюшеев")
    page.get_by_label(re.compile(r"^Имя")).fill("Баир")
    page.get_by_label(re.compile(r"^Отчество")).fill("Цыренович")
    page.get_by_label("Телефон или e-mail").fill("8 902 700-11-22")
    page.get_by_role("button", name="Получить код").click()
    expect(page.get_by_role("heading", name="Введите код")).to_be_visible()
    axe_check(page)
    assert_fits_phone(page, "join-code", screenshots)
    sms = [m for m in OutboxSmsSender.outbox if m["phone"] == "+79027001122"]
    page.get_by_label("Код из сообщения").fill(six_digits(sms[-1]["text"]))
    page.get_by_role("button", name="Подтвердить и присоединиться").click()
    expect(page.get_by_role("heading", name="Вы присоединились")).to_be_visible()
    expect(page.get_by_text("проверит и подтвердит ваш статус")).to_be_visible()
    axe_check(page)
    assert_fits_phone(page, "join-done", screenshots)
    teacher = User.objects.get(phone="+79027001122")
    assert Membership.objects.get(user=teacher, organisation=org).verification == "pending"
    sign_out(page)

    # The administrator finds the teacher in the verification queue.
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, base, admin.phone)
    page.goto(f"{base}/orgs/{org.pk}/")
    page.get_by_role("navigation", name="Разделы организации").get_by_role("link", name="Подтверждение").click()
    expect(page.get_by_role("heading", name="Аюшеев Баир Цыренович")).to_be_visible()
    axe_check(page)
    print(f"screenshots in {screenshots}")


def test_student_joins_a_class(page, live_server, axe_check, school):
    base = live_server.url
    org, cls, admin = school
    _, token = links.invite_create(organisation=org, actor=admin, role="student", target_group=cls, max_uses=None)
    student = UserFactory(last_name="Дашиев", first_name="Тимур")

    page.goto(f"{base}/join/{token}/")
    expect(page.get_by_text("класс 5А")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Войдите").click()
    page.get_by_label("Телефон или e-mail").fill(student.phone)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_text("Вы вошли как Дашиев Тимур")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Присоединиться").click()
    expect(page.get_by_role("heading", name="Вы присоединились")).to_be_visible()
    expect(page.get_by_text("Вы зачислены в «Школа № 7»: класс 5А.")).to_be_visible()
    axe_check(page)
    assert Placement.objects.filter(student=student, group=cls, valid_to__isnull=True).exists()
    page.get_by_role("link", name="Открыть «Школа № 7»").click()
    expect(page.get_by_role("heading", name="Класс 5А")).to_be_visible()


def test_a_student_who_joined_finds_the_class_chat_on_the_next_page(page, live_server, axe_check, school):
    """The joiner's chat rows come from a job after the commit (the worker's, within a second; eager here): the chat
    list the person opens next shows their class's chat, and the chat opens."""
    base = live_server.url
    org, cls, admin = school
    curator_of(cls, UserFactory(last_name="Петрова", first_name="Анна"))
    chats_sync_organisation(organisation=org)
    class_chat = Chat.objects.get(group=cls, kind=Chat.Kind.CLASS)
    _, token = links.invite_create(organisation=org, actor=admin, role="student", target_group=cls, max_uses=30)
    student = UserFactory(last_name="Дашиев", first_name="Тимур")

    sign_in(page, base, student.phone)
    page.goto(f"{base}/join/{token}/")
    expect(page.get_by_text("Вы вошли как Дашиев Тимур")).to_be_visible()
    page.get_by_role("button", name="Присоединиться").click()
    expect(page.get_by_role("heading", name="Вы присоединились")).to_be_visible()
    page.goto(f"{base}/orgs/{org.pk}/chats/")
    page.get_by_role("link", name=class_chat.title).first.click()
    expect(page.get_by_role("heading", name=class_chat.title, level=1)).to_be_visible()
    axe_check(page)


def test_parent_joins_tied_to_a_child(page, live_server, axe_check, screenshots, school):
    base = live_server.url
    org, cls, admin = school
    child = student_in(cls, UserFactory(last_name="Бадмаева", first_name="Сэсэг"))
    _, token = links.invite_create(organisation=org, actor=admin, role="parent", target_group=cls, bound_student=child)

    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{base}/join/{token}/")
    expect(page.get_by_text("Бадмаева С.")).to_be_visible()
    expect(page.get_by_text("родитель (законный представитель)")).to_be_visible()
    axe_check(page)
    assert_fits_phone(page, "join-parent", screenshots)
    page.get_by_label(re.compile(r"^Фамилия")).fill("Бадмаева")
    page.get_by_label(re.compile(r"^Имя")).fill("Оюна")
    page.get_by_label("Телефон или e-mail").fill("oyuna@example.org")
    page.get_by_role("button", name="Получить код").click()
    expect(page.get_by_role("heading", name="Введите код")).to_be_visible()
    letters = [m for m in mail.outbox if "oyuna@example.org" in m.to]
    page.get_by_label("Код из сообщения").fill(six_digits(letters[-1].body))
    page.get_by_label("Пароль").fill("Родитель-2026!")
    page.get_by_role("button", name="Подтвердить и присоединиться").click()
    expect(page.get_by_role("heading", name="Вы присоединились")).to_be_visible()
    expect(page.get_by_text("Ребёнок: Бадмаева С.")).to_be_visible()
    axe_check(page)
    parent = User.objects.get(email="oyuna@example.org")
    assert parent.check_password("Родитель-2026!")
    assert ParentLink.objects.filter(parent=parent, child=child, valid_to__isnull=True).exists()


def test_expired_link_shows_its_page(page, live_server, axe_check, school):
    base = live_server.url
    org, cls, admin = school
    invite, token = links.invite_create(organisation=org, actor=admin, role="student", target_group=cls)
    Invite.objects.filter(pk=invite.pk).update(expires_at=timezone.now() - timedelta(hours=2))
    response = page.goto(f"{base}/join/{token}/")
    assert response.status == 410
    expect(page.get_by_role("heading", name="Срок действия ссылки истёк")).to_be_visible()
    expect(page.get_by_text(admin.full_name)).to_be_visible()
    axe_check(page)
    response = page.goto(f"{base}/join/{'x' * 24}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Ссылка не найдена")).to_be_visible()
    axe_check(page)
