"""Joining that needs a decision, in a real browser: a parent of a class nobody has joined yet, and withdrawing
one's own pending request from the home page."""

import pytest
from playwright.sync_api import expect

from invites.models import JoinRequest
from invites.services import links
from invites.services.redeem import invite_redeem
from orgs.models import ParentLink
from tests.factories import ClassFactory, OrganisationFactory, UserFactory, admin_of, curator_of, student_in

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pass-Word-123"


@pytest.fixture
def school():
    org = OrganisationFactory(short_name="Школа № 7", time_zone="Asia/Irkutsk")
    return org, ClassFactory(organisation=org, grade=5, letter="А", name="5А"), admin_of(org)


def sign_in(page, base, identifier, next_path=""):
    page.goto(f"{base}/accounts/login/{next_path}")
    page.get_by_label("Телефон или e-mail").fill(identifier)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()


def sign_out(page):
    page.get_by_role("button", name="Выйти").first.click()


def test_parent_of_an_empty_class_types_the_name_and_the_curator_confirms(page, live_server, axe_check, school):
    base = live_server.url
    org, cls, admin = school
    curator = curator_of(cls)

    # The administrator makes a parents' link for 5А, where nobody has joined yet, and is warned.
    sign_in(page, base, admin.phone)
    page.goto(f"{base}/orgs/{org.pk}/invites/new/")
    page.get_by_role("link", name="Родитель (законный представитель)").click()
    axe_check(page)
    page.get_by_label("Класс").select_option(label="5А")
    page.get_by_role("button", name="Создать ссылку").click()
    expect(page.get_by_text("В списке класса 5А на портале пока никого нет.").first).to_be_visible()
    axe_check(page)
    path = page.get_by_label("Ссылка-приглашение").input_value().split("://", 1)[1].split("/", 1)[1]
    sign_out(page)

    # A parent opens it, types the child's name and sends a request.
    parent = UserFactory(last_name="Очирова", first_name="Дарима")
    page.goto(f"{base}/{path}")
    page.get_by_role("link", name="Войдите").click()
    page.get_by_label("Телефон или e-mail").fill(parent.phone)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_text("Список класса на портале пока пуст.")).to_be_visible()
    axe_check(page)
    page.get_by_label("Фамилия и имя ребёнка").fill("Очиров Баир")
    page.get_by_role("button", name="Отправить заявку").click()
    expect(page.get_by_role("heading", name="Заявка отправлена")).to_be_visible()
    sign_out(page)

    # The child joins; the curator finds the request, picks the child and approves.
    kid = student_in(cls, UserFactory(last_name="Очиров", first_name="Баир"))
    sign_in(page, base, curator.phone, f"?next=/orgs/{org.pk}/join-requests/")
    expect(page.get_by_text("Очиров Баир", exact=True)).to_be_visible()
    axe_check(page)
    page.get_by_label("Чей это родитель").select_option(label=kid.full_name)
    page.get_by_role("button", name="Одобрить").click()
    expect(page.get_by_text("Заявка одобрена")).to_be_visible()
    assert ParentLink.objects.filter(parent=parent, child=kid, valid_to__isnull=True).exists()


def test_applicant_sees_the_pending_request_at_home_and_withdraws_it(page, live_server, axe_check, school):
    base = live_server.url
    org, cls, admin = school
    curator = curator_of(cls)
    _, token = links.invite_create(
        organisation=org, actor=admin, role="student", target_group=cls, requires_approval=True
    )
    applicant = UserFactory()
    request = invite_redeem(token=token, user=applicant).join_request

    sign_in(page, base, applicant.phone)
    block = page.get_by_role("region", name="Ваши заявки на вступление")
    expect(block).to_contain_text("Школа № 7, класс 5А")
    expect(block).to_contain_text(f"Решает: классный руководитель {curator.short_name}")
    expect(block).to_contain_text("(Иркутск)")
    axe_check(page)
    block.get_by_role("link", name="Отозвать заявку").click()
    expect(page.get_by_role("heading", name="Отозвать заявку?")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Отозвать заявку").click()
    expect(page.get_by_text("Заявка в «Школа № 7» отозвана.")).to_be_visible()
    expect(page.get_by_role("region", name="Ваши заявки на вступление")).to_have_count(0)
    assert JoinRequest.objects.get(pk=request.pk).status == "withdrawn"
