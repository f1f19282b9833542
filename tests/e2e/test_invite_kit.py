"""The administrator prints a class's kit for a parents' meeting: one personal parent link per student, as QR codes."""

from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from invites.models import Invite
from invites.services import links
from tests.factories import ClassFactory, OrganisationFactory, admin_of, student_in
from tests.invites.test_kits import decoded_links

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pass-Word-123"


def test_administrator_prints_a_parent_kit_for_a_class(page, live_server, axe_check, tmp_path):
    base = live_server.url
    org = OrganisationFactory(short_name="Школа № 7", time_zone="Asia/Irkutsk")
    cls = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    pupils = [student_in(cls) for _ in range(3)]
    admin = admin_of(org)

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Телефон или e-mail").fill(admin.phone)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()

    # From the list of links to the class's invites page.
    page.goto(f"{base}/orgs/{org.pk}/invites/")
    axe_check(page)
    page.get_by_role("link", name="Класс 5А").click()
    expect(page.get_by_role("heading", name="Приглашения: класс 5А")).to_be_visible()
    axe_check(page)

    # One parent link per student of the class, made in one go.
    page.get_by_label("Родителям каждого из учеников").check()
    page.get_by_role("button", name="Создать ссылки").click()
    expect(page.get_by_text("Создано личных ссылок: 3.")).to_be_visible()
    axe_check(page)
    created = list(Invite.objects.filter(organisation=org, target_group=cls, role="parent"))
    assert sorted(invite.bound_student_id for invite in created) == sorted(p.pk for p in pupils)

    # The kit for the meeting: a PDF whose QR codes lead to exactly these links.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Скачать PDF для собрания").click()
    download = download_info.value
    assert download.suggested_filename == f"invites-{org.pk}-{cls.pk}.pdf"
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    decoded = decoded_links(pdf)
    class_links = {links.invite_url(invite) for invite in created}
    assert len(decoded) == 3
    assert decoded[0] in class_links
    assert set(decoded) == class_links

    # The class page now lists the three links and prints them all.
    page.get_by_role("link", name="← Приглашения класса").click()
    expect(page.get_by_role("heading", name="Действующие ссылки класса (3)")).to_be_visible()
    axe_check(page)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Распечатать приглашения класса").click()
    assert sorted(decoded_links(Path(download_info.value.path()).read_bytes())) == sorted(class_links)

    # A link with a known address goes out by e-mail; the progress page counts the letters.
    emailed, _ = links.invite_create(
        organisation=org, actor=admin, role="student", target_group=cls, recipient_name="Орлов Олег",
        recipient_email="oleg@example.org",
    )  # fmt: skip
    page.reload()
    page.get_by_role("button", name="Разослать по e-mail").click()
    expect(page.get_by_role("heading", name="Рассылка приглашений", exact=False)).to_be_visible()
    expect(page.get_by_text("Отправлено 1 из 1")).to_be_visible()
    axe_check(page)
    assert [m.to for m in mail.outbox] == [["oleg@example.org"]]
    assert links.invite_url(emailed) in mail.outbox[0].body
    assert len(axe_check.checked) == 5
