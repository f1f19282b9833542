"""A phone 360 px wide: long names wrap, the sections fold into one row, wide tables scroll with a cue."""

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


def _sign_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Телефон или e-mail").fill(user.phone)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("button", name="Выйти").first).to_be_visible()


def test_the_administrators_menu_is_one_row_and_tables_keep_their_key_column(
    browser, browser_context_args, live_server
):
    """The administrator sees a dozen sections: on a phone they fold into one row «Разделы» that opens; a wide
    table keeps its first column in view and says it scrolls sideways."""
    org = OrganisationFactory(short_name="Школа № 7")
    cls = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    admin = member(org, Membership.Role.ADMIN).user
    member(org, Membership.Role.TEACHER, verified=False)
    for _ in range(3):
        member(org, Membership.Role.STUDENT)
    curator_of(cls, member(org, Membership.Role.TEACHER).user)
    chats_sync_organisation(organisation=org)

    context = browser.new_context(**{**browser_context_args, "viewport": {"width": WIDTH, "height": 740}})
    page = context.new_page()
    _sign_in(page, live_server, admin)
    page.goto(f"{live_server.url}/orgs/{org.pk}/")
    menu = page.locator("nav.org-nav")
    summary = menu.locator("summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Разделы")
    row = summary.bounding_box()["height"]
    assert menu.bounding_box()["height"] <= row + 16, "the menu takes more than one row"
    expect(menu.get_by_role("link", name="Журнал действий")).to_be_hidden()
    _assert_fits(page)

    summary.click()
    expect(menu.get_by_role("link", name="Журнал действий")).to_be_visible()
    expect(menu.get_by_role("link", name="Подтверждение")).to_contain_text("1 ждёт")
    menu.get_by_role("link", name="Люди").click()
    expect(page.get_by_role("heading", level=1, name="Люди")).to_be_visible()
    expect(menu.locator("summary")).to_be_visible()  # folded again on the new page

    # The people table fits a phone: every column in view, no hint.
    people = page.locator(".table-wrap").first
    assert people.evaluate("wrap => wrap.scrollWidth <= wrap.clientWidth + 1")
    expect(page.get_by_role("columnheader", name="Подтверждение")).to_be_in_viewport()
    expect(page.locator(".scroll-hint").first).to_be_hidden()

    # The table of every chat has seven columns: it scrolls, says so, and keeps the chat's name in view.
    page.goto(f"{live_server.url}/orgs/{org.pk}/chats/all/")
    table = page.locator(".table-wrap").first
    assert table.evaluate("wrap => wrap.scrollWidth > wrap.clientWidth")
    expect(page.locator(".scroll-hint").first).to_be_visible()
    expect(page.locator(".scroll-hint").first).to_have_text("Таблицу можно прокрутить вбок →")
    name = table.locator("tbody tr > :first-child").first
    table.evaluate("wrap => { wrap.scrollLeft = wrap.scrollWidth; }")
    box = name.bounding_box()
    assert box["x"] >= 0 and box["x"] + 40 <= WIDTH, f"the chat's name scrolled away: {box}"
    _assert_fits(page)

    page.set_viewport_size({"width": 1280, "height": 800})
    expect(page.locator("nav.org-nav summary")).to_be_hidden()
    expect(page.locator("nav.org-nav").get_by_role("link", name="Журнал действий")).to_be_visible()
    expect(page.locator(".scroll-hint").first).to_be_hidden()
    context.close()
