"""Regulations in the browser: the administrator drafts the «Положение» from the template and records its
agreement, the director approves it and downloads the PDF; a student's WhatsApp link is refused in the class chat
with the clause of the «Порядок» cited."""

import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

from chats.models import Chat
from chats.services.sync import chats_sync_organisation
from policies.citations import template_clause_number
from policies.clauses import FORBIDDEN_SERVICES_CLAUSE
from tests.factories import ClassFactory, UserFactory, curator_of, student_in
from tests.policies.helpers import office

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pass-Word-123"


def sign_in(page, base, user):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Телефон или e-mail").fill(user.phone)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("button", name="Выйти").first).to_be_visible()


def sign_out(page):
    page.get_by_role("button", name="Выйти").first.click()


def pdf_words(path: str) -> str:
    pdf = Path(path).read_bytes()
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return " ".join(text.decode().split())


def test_the_administrator_drafts_the_regulation_and_the_director_approves_it(page, live_server, axe_check):
    base = live_server.url
    o = office(full_name="Муниципальное бюджетное общеобразовательное учреждение «Средняя школа № 41»")

    sign_in(page, base, o.admin)
    page.goto(f"{base}/orgs/{o.org.pk}/documents/")
    regulation = page.get_by_role("region", name="Положение об использовании платформы", exact=True)
    regulation.get_by_role("button", name="Составить проект по шаблону").click()
    # The draft opens clause by clause, written from the organisation's data.
    expect(page.get_by_text("Проект создан по шаблону из сведений об организации.")).to_be_visible()
    expect(page.get_by_role("heading", name="Положение об использовании платформы: проект версии 1.0")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="К проекту").click()
    page.get_by_label("Кем согласовано").fill("Педагогический совет")
    page.get_by_label("Номер протокола").fill("1")
    page.get_by_label("Дата протокола").fill("2026-08-28")
    page.get_by_role("button", name="Записать согласование").click()
    expect(page.get_by_text("Протокол № 1", exact=False).first).to_be_visible()
    version_url = page.url
    sign_out(page)

    sign_in(page, base, o.director)
    page.goto(version_url)
    approval = page.get_by_role("region", name="Утверждение")
    expect(approval.get_by_label("«УТВЕРЖДАЮ» директора на портале")).to_be_checked()
    approval.get_by_role("button", name="Утвердить").click()
    expect(page.get_by_text("действует", exact=False).first).to_be_visible()
    axe_check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Скачать PDF").click()
    words = pdf_words(download.value.path())
    assert "УТВЕРЖДАЮ" in words and "«Средняя школа № 41»" in words and "ПОЛОЖЕНИЕ" in words


def test_a_student_s_whatsapp_group_link_is_refused_with_the_clause(page, live_server, axe_check):
    base = live_server.url
    o = office()
    cls = ClassFactory(organisation=o.org, grade=7, letter="Б", name="7Б")
    curator_of(cls, o.teacher)
    student = student_in(cls, UserFactory(last_name="Котов", first_name="Илья"))
    chats_sync_organisation(organisation=o.org)
    chat = Chat.objects.get(group=cls, kind="class")
    text = "Все в группу: https://chat.whatsapp.com/Ab12Cd34Ef"

    sign_in(page, base, student)
    page.goto(f"{base}/chats/{chat.pk}/")
    page.get_by_role("textbox", name="Сообщение").fill(text)
    page.get_by_role("button", name="Отправить", exact=True).click()
    refusal = page.get_by_text("Сообщение не отправлено.", exact=False)
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text("WhatsApp")
    expect(refusal).to_contain_text(f"п. {template_clause_number(FORBIDDEN_SERVICES_CLAUSE)}")
    # Nothing is lost: the typed text is back in the form, and no message was posted.
    expect(page.get_by_role("textbox", name="Сообщение")).to_have_value(text)
    assert not chat.messages.exists()
    axe_check(page)
