"""The demo school's year-end promotion in the browser: the administrator opens the plan, sees every class's
fate, confirms, and reads the report; the pages pass axe-core."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from orgs.demo_data import SCHOOL_ADMIN
from orgs.models import AcademicYear, Group, Organisation
from orgs.movement_models import Promotion
from tests.e2e.test_demo_movement import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_administrator_previews_and_confirms_the_promotion(browser, live_server, axe_check):
    call_command("load_demo", stdout=StringIO())
    school = Organisation.objects.get(kind="school")
    year = AcademicYear.objects.get(organisation=school, is_current=True)
    five_a = Group.objects.get(organisation=school, kind=Group.Kind.CLASS, name="5А")
    base = live_server.url
    context = browser.new_context(locale="ru-RU")
    page = context.new_page()
    sign_in(page, base, SCHOOL_ADMIN.phone)
    page.goto(f"{base}/orgs/{school.pk}/")
    page.get_by_role("navigation", name="Разделы организации").get_by_role("link", name="Движение").click()
    axe_check(page)
    page.get_by_role("link", name="Посмотреть план перевода").click()
    expect(page.get_by_role("heading", name="Перевод на следующий учебный год")).to_be_visible()
    plan = page.get_by_role("region", name="План перевода")
    row = plan.get_by_role("row").filter(has=page.get_by_role("rowheader", name="5А", exact=True))
    expect(row.get_by_role("cell", name="6А", exact=True)).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Подтвердить перевод").click()
    expect(page.get_by_role("heading", name="Что изменилось")).to_be_visible()
    report = page.get_by_role("region", name="Переведённые классы")
    expect(report.get_by_role("cell", name="6А", exact=True)).to_be_visible()
    axe_check(page)
    context.close()

    five_a.refresh_from_db()
    assert five_a.name == "6А" and five_a.academic_year.is_current
    promotion = Promotion.objects.get(organisation=school)
    assert promotion.status == Promotion.Status.DONE and promotion.from_year == year
