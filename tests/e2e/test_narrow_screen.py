"""A phone 360 px wide: an organisation whose name is one long word still fits, on its home page and in a chat."""

import pytest
from playwright.sync_api import expect

from chats.models import Chat
from chats.services.sync import chats_sync_organisation
from orgs.models import Membership
from tests.factories import ClassFactory, OrganisationFactory, UserFactory, curator_of, member

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pass-Word-123"
LONG_NAME = "МуниципальноеБюджетноеОбщеобразовательноеУчреждениеШкола№127"  # 60 characters, not one space
WIDTH = 360


def _fits(page) -> dict:
    return page.evaluate(
        """() => {
            const heading = document.querySelector("h1");
            const box = heading.getBoundingClientRect();
            return {
                scrollWidth: document.documentElement.scrollWidth,
                innerWidth: window.innerWidth,
                headingLeft: box.left,
                headingRight: box.right,
                headingOverflow: heading.scrollWidth - heading.clientWidth,
            };
        }"""
    )


def _assert_fits(page):
    sizes = _fits(page)
    assert sizes["innerWidth"] == WIDTH
    assert sizes["scrollWidth"] <= sizes["innerWidth"], sizes
    assert 0 <= sizes["headingLeft"] and sizes["headingRight"] <= sizes["innerWidth"], sizes
    assert sizes["headingOverflow"] <= 0, sizes


def test_a_long_unbroken_name_wraps_on_a_360_px_screen(browser, browser_context_args, live_server):
    assert len(LONG_NAME) == 60
    org = OrganisationFactory(short_name=LONG_NAME, full_name=LONG_NAME)
    cls = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    teacher = UserFactory(last_name="Константинопольская", first_name="Мария")
    curator = curator_of(cls, member(org, Membership.Role.TEACHER, teacher).user)
    chats_sync_organisation(organisation=org)
    chat = Chat.objects.get(group=cls, kind="class")
    Chat.objects.filter(pk=chat.pk).update(title=f"Чат{LONG_NAME}")

    context = browser.new_context(**{**browser_context_args, "viewport": {"width": WIDTH, "height": 740}})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Телефон или e-mail").fill(curator.phone)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("button", name="Выйти").first).to_be_visible()

    page.goto(f"{live_server.url}/orgs/{org.pk}/")
    expect(page.get_by_role("heading", level=1, name=LONG_NAME)).to_be_visible()
    _assert_fits(page)

    page.goto(f"{live_server.url}/orgs/{org.pk}/chats/")
    expect(page.get_by_role("link", name=f"Чат{LONG_NAME}")).to_be_visible()
    _assert_fits(page)

    page.goto(f"{live_server.url}/chats/{chat.pk}/")
    expect(page.get_by_role("heading", level=1, name=f"Чат{LONG_NAME}")).to_be_visible()
    _assert_fits(page)
    context.close()
