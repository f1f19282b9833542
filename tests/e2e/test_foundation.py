"""The foundation as people use it: apply, get approved, sign in with a code, build a class, verify a teacher."""

import re

import pytest
from playwright.sync_api import expect

from orgs.models import Group, Membership, Organisation, RegistrationApplication
from portal.accounts.senders import OutboxSmsSender
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db(transaction=True)

ADMIN_PHONE = "+79021234567"
PASSWORD = "pass-Word-123"


def make_pdf(path):
    """A small, valid one-page PDF with a line of text, written by hand."""
    stream = b"BT /F1 14 Tf 72 720 Td (Prikaz o naznachenii administratora) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def sign_in_with_password(page, base, identifier, password, axe_check):
    page.goto(f"{base}/accounts/login/")
    axe_check(page)
    page.get_by_label("Телефон или e-mail").fill(identifier)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()


def sign_out(page):
    page.get_by_role("button", name="Выйти").click()


def test_from_application_to_a_verified_teacher(page, live_server, axe_check, screenshots, tmp_path):
    base = live_server.url
    UserFactory(phone="+79000000001", email="operator@example.org", is_superuser=True, is_staff=True)

    # 1. An applicant submits the registration application with the order as a PDF.
    page.goto(f"{base}/")
    axe_check(page)
    page.get_by_role("link", name="Подать заявку").click()
    expect(page).to_have_title(re.compile("Заявка на регистрацию"))
    axe_check(page)
    page.get_by_label("Тип организации").select_option("school")
    page.get_by_label("Полное наименование").fill("МБОУ «Средняя общеобразовательная школа № 7»")
    page.get_by_label("Краткое наименование").fill("Школа № 7")
    page.get_by_label("Адрес").fill("г. Кяхта, ул. Ленина, д. 5")
    page.get_by_label("Субъект РФ").fill("Республика Бурятия")
    page.get_by_label("Муниципальное образование").fill("Кяхтинский район")
    page.get_by_label("Часовой пояс").select_option("Asia/Irkutsk")
    page.get_by_label("Фамилия администратора").fill("Доржиева")
    page.get_by_label("Имя администратора").fill("Туяна")
    page.get_by_label("Отчество администратора").fill("Баировна")
    page.get_by_label("E-mail администратора").fill("dorzhieva@example.org")
    page.get_by_label("Личный мобильный телефон администратора").fill("8 902 123-45-67")
    page.get_by_label("Приказ о назначении администратора").set_input_files(make_pdf(tmp_path / "prikaz.pdf"))
    page.screenshot(path=screenshots / "application-desktop.png", full_page=True)
    page.get_by_role("button", name="Отправить заявку").click()
    expect(page.get_by_role("heading", name="Заявка отправлена")).to_be_visible()
    axe_check(page)
    assert RegistrationApplication.objects.get().status == "pending"

    # 2. The operator approves it in the Django admin.
    sign_in_with_password(page, base, "+79000000001", PASSWORD, axe_check)
    expect(page.get_by_role("heading", name="Мои организации")).to_be_visible()
    axe_check(page)
    page.get_by_role("link", name="Заявки на регистрацию").click()
    axe_check(page)
    page.get_by_role("link", name="Школа № 7").first.click()
    expect(page.get_by_role("link", name="Открыть приказ")).to_be_visible()
    axe_check(page)
    page.get_by_role("button", name="Одобрить").click()
    expect(page.get_by_text("Заявка одобрена")).to_be_visible()
    axe_check(page)
    org = Organisation.objects.get(short_name="Школа № 7")
    page.goto(f"{base}/")
    sign_out(page)

    # 3. The new administrator signs in with a one-time code sent to the application's phone.
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("link", name="Войти по одноразовому коду").click()
    page.wait_for_url("**/accounts/login/code/**")  # the code form, not the password page it is leaving
    axe_check(page)
    page.get_by_label("Телефон или e-mail").fill("8 (902) 123-45-67")
    page.get_by_role("button", name="Получить код").click()
    expect(page.get_by_role("heading", name="Введите код")).to_be_visible()
    axe_check(page)
    sms = [m for m in OutboxSmsSender.outbox if m["phone"] == ADMIN_PHONE]
    assert sms, "no SMS was sent to the administrator"
    code = re.search(r"\b(\d{6})\b", sms[-1]["text"]).group(1)
    page.get_by_label("Код из сообщения").fill(code)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("heading", name="Школа № 7")).to_be_visible()
    axe_check(page)
    page.screenshot(path=screenshots / "org-home-desktop.png", full_page=True)

    # 4. The administrator adds the academic year and a class.
    page.get_by_role("navigation", name="Разделы организации").get_by_role("link", name="Структура").click()
    axe_check(page)
    page.get_by_role("link", name="Добавить учебный год").click()
    axe_check(page)
    page.get_by_label(re.compile(r"^Учебный год")).fill("2026/2027")
    page.get_by_label("Начало").fill("2026-09-01")
    page.get_by_label("Окончание").fill("2027-05-31")
    page.get_by_role("button", name="Добавить").click()
    expect(page.get_by_text("Учебный год «2026/2027» добавлен.")).to_be_visible()
    page.get_by_role("link", name="Добавить класс").click()
    axe_check(page)
    page.get_by_label("Параллель").fill("5")
    page.get_by_label("Литера").fill("А")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_role("link", name="5А", exact=True)).to_be_visible()
    axe_check(page)
    page.screenshot(path=screenshots / "structure-desktop.png", full_page=True)
    assert Group.objects.filter(organisation=org, kind="class", name="5А").exists()

    # 5. A teacher who joined waits for verification; the administrator verifies them.
    teacher = member(
        org, Membership.Role.TEACHER, UserFactory(last_name="Аюшеев", first_name="Баир"), verified=False
    ).user
    page.get_by_role("navigation", name="Разделы организации").get_by_role("link", name="Подтверждение").click()
    axe_check(page)
    page.get_by_role("button", name=f"Подтвердить {teacher.full_name}").click()
    expect(page.get_by_text("Педагог подтверждён.")).to_be_visible()
    axe_check(page)
    page.get_by_role("navigation", name="Разделы организации").get_by_role("link", name="Люди").click()
    row = page.get_by_role("row").filter(has_text=teacher.full_name)
    expect(row.get_by_text("✓ подтверждён")).to_be_visible()
    axe_check(page)
    assert Membership.objects.get(user=teacher, role="teacher").verification == "verified"

    # The same pages on a 360px phone.
    page.set_viewport_size({"width": 360, "height": 740})
    for name, path in [("people", "people/"), ("structure", "structure/")]:
        page.goto(f"{base}/orgs/{org.pk}/{path}")
        axe_check(page)
        page.screenshot(path=screenshots / f"{name}-phone.png", full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        wide = page.evaluate(
            "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > "
            "document.documentElement.clientWidth + 1).slice(0, 5).map(e => e.tagName + '.' + e.className)"
        )
        assert overflow <= 0, f"the {name} page scrolls sideways on a phone: {wide}"
    print(f"screenshots in {screenshots}")
