"""A teacher sees the banner of a document in force and acknowledges it; the administrator then sees the progress
and downloads the «Лист ознакомления» with the teacher on it."""

import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.policies.helpers import office
from tests.policies.test_workflow import in_force

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pass-Word-123"


def sign_in(page, base, user):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Телефон или e-mail").fill(user.phone)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()


def test_a_teacher_acknowledges_and_the_administrator_downloads_the_sheet(page, live_server, axe_check):
    base = live_server.url
    o = office()
    version = in_force(o)

    sign_in(page, base, o.teacher)
    page.goto(f"{base}/orgs/{o.org.pk}/")
    banner = page.get_by_role("region", name="Документы для ознакомления")
    expect(banner).to_be_visible()
    axe_check(page)
    banner.get_by_role("link", name="Прочитать и подтвердить ознакомление").click()
    expect(page.get_by_role("heading", name="Положение об использовании платформы, версия 1.0")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Подтверждаю ознакомление", exact=True).click()
    expect(page.get_by_text("Отмечено: вы ознакомлены с документом.")).to_be_visible()
    page.goto(f"{base}/orgs/{o.org.pk}/")
    expect(page.get_by_role("region", name="Документы для ознакомления")).to_have_count(0)
    page.get_by_role("button", name="Выйти").click()

    sign_in(page, base, o.admin)
    page.goto(f"{base}/orgs/{o.org.pk}/documents/versions/{version.pk}/")
    page.get_by_role("link", name="Кто ознакомился").click()
    expect(page.get_by_text("Ознакомлены: 1 из 3")).to_be_visible()
    axe_check(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Лист ознакомления (PDF)").click()
    pdf = Path(download_info.value.path()).read_bytes()
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True).stdout.decode()
    text = " ".join(text.split())  # lines wrap where the page is narrow
    assert "ЛИСТ ОЗНАКОМЛЕНИЯ" in text and o.teacher.last_name in text and "ознакомление в портале" in text
