"""The administrator changes a setting on the settings page and sees the set-up steps on the home page."""

import pytest
from playwright.sync_api import expect

from chats.services.sync import chats_sync_organisation
from invites.models import InvitePolicy
from orgs.models import Membership
from tests.e2e.test_chats import sign_in
from tests.factories import ClassFactory, OrganisationFactory, UserFactory, curator_of, member, student_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_administrator_changes_a_setting_and_sees_the_set_up_steps(page, live_server, axe_check):
    org = OrganisationFactory(short_name="Лицей № 1", time_zone="Asia/Irkutsk")
    admin = member(org, Membership.Role.ADMIN, UserFactory(last_name="Цыренова", first_name="Анна")).user
    cls = ClassFactory(organisation=org, grade=7, letter="Б", name="7Б")
    curator_of(cls)
    student_in(cls)
    chats_sync_organisation(organisation=org)
    base = live_server.url

    sign_in(page, base, admin)
    page.goto(f"{base}/orgs/{org.pk}/")
    steps = page.locator("section", has=page.get_by_role("heading", name="Подготовка организации к работе"))
    expect(steps.locator('[data-step="structure"]')).to_contain_text("готово")
    expect(steps.locator('[data-step="students"]')).to_contain_text("готово")
    expect(steps.locator('[data-step="parents"]')).to_contain_text("не начато")
    expect(steps.get_by_role("link", name="Заполнить профиль").first).to_be_visible()
    axe_check(page)

    page.get_by_role("link", name="Настройки организации").click()
    page.get_by_label("Срок ссылки для обучающихся, дней").fill("21")
    page.get_by_label("Численность сотрудников по штату").fill("35")
    page.get_by_role("button", name="Сохранить настройки").click()
    expect(page.get_by_text("Настройки сохранены.")).to_be_visible()
    page.get_by_label("Общий канал").fill("Общий канал Лицея")
    page.get_by_role("button", name="Сохранить названия").click()
    expect(page.get_by_text("Названия каналов сохранены.")).to_be_visible()
    axe_check(page)
    assert InvitePolicy.objects.get(organisation=org).student_days == 21

    page.goto(f"{base}/orgs/{org.pk}/")
    expect(steps.locator('[data-step="staff"]')).to_contain_text("из 35")
