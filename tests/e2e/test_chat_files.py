"""Files in the browser: a photo whose name is markup shows as text and runs nothing; a refused file says why."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from PIL import Image
from playwright.sync_api import expect

from chats.models import Attachment, Chat
from chats.services.sync import chats_sync_organisation
from tests.factories import ClassFactory, OrganisationFactory, UserFactory, curator_of, student_in

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pass-Word-123"
XSS_NAME = "<img src=x onerror=alert(1)>.jpg"
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"\x40\x00\x00\x00PE\x00\x00"


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (900, 600), (30, 120, 200)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def school():
    org = OrganisationFactory(short_name="Школа № 3")
    a = ClassFactory(organisation=org, grade=6, letter="А", name="6А")
    b = ClassFactory(organisation=org, grade=6, letter="Б", name="6Б")
    people = {
        "curator": curator_of(a, UserFactory(last_name="Петрова", first_name="Анна")),
        "student": student_in(a),
        "outsider": student_in(b),
    }
    curator_of(b)
    chats_sync_organisation(organisation=org)
    people["chat"] = Chat.objects.get(group=a, kind="class")
    return people


def sign_in(page, base, user):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Телефон или e-mail").fill(user.phone)
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_role("button", name="Выйти").first).to_be_visible()


def test_a_photo_named_like_markup_shows_as_text_and_only_members_open_it(
    page, browser, browser_context_args, live_server, axe_check, school
):
    base, chat = live_server.url, school["chat"]
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.set_viewport_size({"width": 360, "height": 740})
    sign_in(page, base, school["curator"])
    page.goto(f"{base}/chats/{chat.pk}/")
    expect(page.get_by_text("До 5 файлов в сообщении")).to_be_visible()

    page.get_by_label("Файлы").set_input_files([{"name": XSS_NAME, "mimeType": "image/jpeg", "buffer": jpeg_bytes()}])
    page.get_by_role("button", name="Отправить").click()

    photo = page.get_by_role("img", name=XSS_NAME)
    expect(photo).to_be_visible()
    expect(page.locator(".chat-file-meta", has_text=XSS_NAME)).to_be_visible()
    # Visible is not loaded: wait for the picture itself (on a busy machine it arrives a moment later).
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=photo.element_handle())
    assert photo.evaluate("img => img.naturalWidth") == 480  # the thumbnail, not the original
    assert page.locator("img[src='x']").count() == 0
    assert not dialogs
    axe_check(page)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, "the chat page with a photo scrolls sideways on a phone"

    attachment = Attachment.objects.get()
    assert attachment.original_name == XSS_NAME and attachment.kind == "photo"
    full_url = f"{base}/chats/{chat.pk}/files/{attachment.pk}/"
    expect(page.get_by_role("link", name=XSS_NAME)).to_have_attribute(
        "href", f"/chats/{chat.pk}/files/{attachment.pk}/"
    )

    # A classmate opens the full photo; a student of the other class gets «not found».
    for user, status in ((school["student"], 200), (school["outsider"], 404)):
        context = browser.new_context(**browser_context_args)
        other = context.new_page()
        sign_in(other, base, user)
        response = other.request.get(full_url)
        assert response.status == status
        if status == 200:
            assert response.headers["content-type"] == "image/jpeg"
            assert response.headers["x-content-type-options"] == "nosniff"
        context.close()
    assert not dialogs


def test_a_program_disguised_as_a_pdf_is_refused_on_the_page(page, live_server, school):
    base, chat = live_server.url, school["chat"]
    sign_in(page, base, school["student"])
    page.goto(f"{base}/chats/{chat.pk}/")
    page.get_by_role("textbox", name="Сообщение").fill("Вот реферат")
    page.get_by_label("Файлы").set_input_files([{"name": "реферат.pdf", "mimeType": "application/pdf", "buffer": PE}])
    page.get_by_role("button", name="Отправить").click()
    expect(
        page.get_by_text("Файл «реферат.pdf» — программа или сценарий: такие файлы отправлять нельзя.")
    ).to_be_visible()
    expect(page.locator(".chat-text", has_text="Вот реферат")).to_have_count(0)
    assert not Attachment.objects.exists()
    media = Path(settings.MEDIA_ROOT)
    assert not media.exists() or not [p for p in media.rglob("*") if p.is_file()]
