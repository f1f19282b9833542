"""Verifying a teacher in a browser: the administrator sees who waits and decides; the teacher sees the news."""

import pytest
from playwright.sync_api import expect

from invites.services.links import invite_create
from invites.services.redeem import invite_redeem
from orgs.models import Membership
from tests.factories import ClassFactory, OrganisationFactory, UserFactory, member, teaches

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pass-Word-123"


def _sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Телефон или e-mail").fill(user.phone)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("button", name="Выйти").first).to_be_visible()


def test_the_administrator_verifies_a_teacher_who_then_sees_the_news(browser, live_server):
    org = OrganisationFactory(short_name="Школа № 9")
    cls = ClassFactory(organisation=org, grade=7, letter="Б", name="7Б")
    admin = member(org, Membership.Role.ADMIN).user
    invite, token = invite_create(organisation=org, actor=admin, role="teacher", max_uses=3)
    teacher = UserFactory(last_name="Соколова", first_name="Анна", email="sokolova@example.org")
    invite_redeem(token=token, user=teacher)
    teaches(cls, teacher, subject="История")

    waiting = browser.new_context().new_page()  # both contexts are closed at the end: see the last lines
    _sign_in(waiting, live_server, teacher)
    waiting.goto(f"{live_server.url}/orgs/{org.pk}/")
    expect(waiting.get_by_role("heading", name="Ваш статус ждёт подтверждения")).to_be_visible()
    waiting.goto(f"{live_server.url}/orgs/{org.pk}/invites/")
    expect(waiting.get_by_role("link", name="Создать ссылку")).to_have_count(0)
    expect(
        waiting.get_by_text("Создавать ссылки-приглашения вы сможете, когда администратор подтвердит")
    ).to_be_visible()

    page = browser.new_context().new_page()
    _sign_in(page, live_server, admin)
    page.goto(f"{live_server.url}/orgs/{org.pk}/")
    expect(page.locator("nav.org-nav .org-nav-wide").get_by_role("link", name="Подтверждение")).to_contain_text(
        "1 ждёт"
    )
    page.get_by_role("link", name="Подтверждение педагогов").click()
    card = page.locator("li.card", has_text="Соколова Анна")
    expect(card).to_contain_text("sokolova@example.org")
    expect(card).to_contain_text(f"по ссылке № {invite.pk}")
    expect(card).to_contain_text("7Б — История")
    card.get_by_role("button", name="Подтвердить").click()
    expect(page.get_by_text("Педагог подтверждён.")).to_be_visible()
    expect(page.get_by_text("Очередь пуста: все педагоги рассмотрены.")).to_be_visible()
    expect(page.locator("nav.org-nav .nav-count")).to_have_count(0)

    waiting.goto(f"{live_server.url}/orgs/{org.pk}/")
    expect(waiting.get_by_text("Ваш статус подтверждён")).to_be_visible()
    waiting.goto(f"{live_server.url}/orgs/{org.pk}/invites/")
    expect(waiting.get_by_role("link", name="Создать ссылку")).to_be_visible()
    # A context left open keeps connections to the live server, whose request threads would then close the test's
    # database connection after the test ended (a DatabaseError traceback printed by a later, passing test).
    waiting.context.close()
    page.context.close()
