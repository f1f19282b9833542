"""Files in chat messages: checked by content, limited per kind, thumbnailed; a refused upload leaves nothing
(no rows, no files under MEDIA_ROOT) through the service, the API and the browser form; downloads only for readers."""

import io
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from rest_framework.authtoken.models import Token

from chats.models import Attachment, Chat, Message
from chats.services.messages import message_delete, message_post
from chats.services.sync import chats_sync_organisation
from portal.exceptions import RuleViolation
from tests.factories import ClassFactory, OrganisationFactory, admin_of, curator_of, student_in

pytestmark = pytest.mark.django_db

MISMATCH = "не соответствует его расширению"
PROGRAM = "программа или сценарий: такие файлы отправлять нельзя"
XSS_NAME = "<img src=x onerror=alert(1)>.jpg"


# --- sample files ------------------------------------------------------------------------------------------------


def jpeg_bytes(size=(1200, 800), *, orientation=6, gps=True) -> bytes:
    """A JPEG from a phone: landscape pixels, an EXIF orientation that turns it upright, a camera and GPS tags."""
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    if gps:
        exif[0x8825] = {1: "N", 2: (55.0, 45.0, 0.0), 3: "E", 4: (37.0, 37.0, 0.0)}
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def png_bytes(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", size, (0, 0, 255, 128)).save(out, "PNG")
    return out.getvalue()


def docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"\x40\x00\x00\x00PE\x00\x00"
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isommp42" + b"\x00\x00\x00\x08free"


def upload(name, data, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- people -------------------------------------------------------------------------------------------------------


@pytest.fixture
def school():
    org = OrganisationFactory()
    a = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    b = ClassFactory(organisation=org, grade=5, letter="Б", name="5Б")
    people = {"org": org, "curator_a": curator_of(a), "kid_a": student_in(a), "kid_b": student_in(b)}
    curator_of(b)
    chats_sync_organisation(organisation=org)
    people["chat_a"] = Chat.objects.get(group=a, kind="class")
    other = OrganisationFactory()
    people["other_admin"] = admin_of(other)
    return people


def assert_nothing_stored(chat):
    assert not Attachment.objects.exists()
    assert not Message.objects.filter(chat=chat).exists()
    assert media_files() == []


def file_url(attachment, name="chats:attachment"):
    return reverse(name, args=[attachment.chat_id, attachment.pk])


# --- the service --------------------------------------------------------------------------------------------------


def test_a_phone_photo_is_stored_with_an_upright_thumbnail_without_exif(school):
    chat, kid = school["chat_a"], school["kid_a"]
    original = jpeg_bytes()
    message = message_post(chat=chat, actor=kid, text="", files=[upload("C:\\Users\\Маша\\IMG_0001.jpg", original)])

    (photo,) = message.attachments.all()
    assert message.text == ""
    assert (photo.kind, photo.content_type, photo.original_name) == ("photo", "image/jpeg", "IMG_0001.jpg")
    assert (photo.size, photo.width, photo.height) == (len(original), 800, 1200)  # upright: portrait
    # Stored under a random name in the chat's folder; the person's name is not in the path.
    assert photo.file.name.startswith(f"chats/{chat.pk}/") and photo.file.name.endswith(".jpg")
    assert "IMG_0001" not in photo.file.name
    # The original is kept byte for byte (its EXIF too); the thumbnail is re-encoded without any metadata.
    assert Path(photo.file.path).read_bytes() == original
    with Image.open(photo.thumbnail.path) as thumb:
        assert thumb.format == "JPEG"
        assert thumb.size == (320, 480)
        assert not thumb.getexif() and "exif" not in thumb.info
    assert len(media_files()) == 2


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("photo.jpg", PDF, f"Содержимое файла «photo.jpg» {MISMATCH}."),
        ("report.pdf", jpeg_bytes(), f"Содержимое файла «report.pdf» {MISMATCH}."),
        ("table.docx", b"PK\x03\x04" + b"\x00" * 40, f"Содержимое файла «table.docx» {MISMATCH}."),
        ("setup.exe", PE, f"Файл «setup.exe» — {PROGRAM}."),
        ("act.pdf", PE, f"Файл «act.pdf» — {PROGRAM}."),
        ("photo.jpg.exe", jpeg_bytes(), f"Файл «photo.jpg.exe» — {PROGRAM}."),
        ("install.sh", b"#!/bin/sh\nrm -rf ~\n", f"Файл «install.sh» — {PROGRAM}."),
        ("notes.txt", b"#!/bin/sh\nrm -rf ~\n", f"Файл «notes.txt» — {PROGRAM}."),
        ("homework.js", b"alert(1)", f"Файл «homework.js» — {PROGRAM}."),
        ("broken.jpg", jpeg_bytes()[:600], "Изображение «broken.jpg» повреждено или не читается."),
        ("list.csv", "Иванов;5".encode("cp1251"), "Текстовый файл «list.csv» должен быть в кодировке UTF-8."),
        ("page.html", b"<script>alert(1)</script>", "Файлы «.html» отправлять нельзя."),
        ("empty.pdf", b"", "Файл «empty.pdf» пустой."),
    ],
)
def test_a_refused_file_leaves_no_row_and_no_file(school, name, data, expected):
    chat = school["chat_a"]
    with pytest.raises(RuleViolation) as refused:
        message_post(chat=chat, actor=school["kid_a"], text="Домашнее задание", files=[upload(name, data)])
    assert expected in refused.value.message
    assert refused.value.fields["files"] == [refused.value.message]
    assert_nothing_stored(chat)


def test_one_bad_file_refuses_the_whole_message_and_names_each_bad_file(school):
    chat = school["chat_a"]
    files = [upload("good.jpg", jpeg_bytes()), upload("fake.jpg", PDF), upload("virus.exe", PE)]
    with pytest.raises(RuleViolation) as refused:
        message_post(chat=chat, actor=school["kid_a"], text="Смотрите", files=files)
    assert refused.value.fields["files"] == [
        f"Содержимое файла «fake.jpg» {MISMATCH}.",
        f"Файл «virus.exe» — {PROGRAM}.",
    ]
    assert_nothing_stored(chat)


def test_an_oversized_file_is_refused_with_the_limit_of_its_kind(school, settings):
    settings.CHAT_ATTACHMENT_MAX_BYTES = {**settings.CHAT_ATTACHMENT_MAX_BYTES, "photo": 4096}
    chat = school["chat_a"]
    big = jpeg_bytes((1600, 1600))
    assert len(big) > 4096
    with pytest.raises(RuleViolation, match=r"Файл «big\.jpg» слишком большой: фото — не более 4 КБ\."):
        message_post(chat=chat, actor=school["kid_a"], text="", files=[upload("big.jpg", big)])
    assert_nothing_stored(chat)
    # The limit is per kind: a document of that size still passes.
    message_post(chat=chat, actor=school["kid_a"], text="", files=[upload("a.pdf", PDF + b" " * 5000)])
    assert Attachment.objects.get().kind == "document"


def test_too_many_files_and_too_many_pixels_are_refused(school, settings):
    chat = school["chat_a"]
    settings.CHAT_ATTACHMENTS_PER_MESSAGE = 2
    with pytest.raises(RuleViolation, match="не больше 2 файлов"):
        message_post(chat=chat, actor=school["kid_a"], text="", files=[upload(f"{n}.pdf", PDF) for n in range(3)])
    settings.CHAT_IMAGE_MAX_PIXELS = 1_000_000
    with pytest.raises(RuleViolation, match="«huge.png» слишком большое"):
        message_post(chat=chat, actor=school["kid_a"], text="", files=[upload("huge.png", png_bytes((1001, 1000)))])
    assert_nothing_stored(chat)


def test_a_failure_while_storing_removes_the_files_already_written(school, monkeypatch):
    chat = school["chat_a"]
    saves = []
    original_save = Attachment.save

    def failing_save(self, *args, **kwargs):
        saves.append(self.original_name)
        if len(saves) == 2:
            raise OSError("disk full")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Attachment, "save", failing_save)
    files = [upload("first.jpg", jpeg_bytes()), upload("second.pdf", PDF)]
    with pytest.raises(OSError):
        message_post(chat=chat, actor=school["kid_a"], text="Два файла", files=files)
    assert saves == ["first.jpg", "second.pdf"]
    assert_nothing_stored(chat)


def test_every_allowed_type_passes_and_text_may_be_empty_only_with_files(school):
    chat, kid = school["chat_a"], school["kid_a"]
    with pytest.raises(RuleViolation, match="Сообщение пустое"):
        message_post(chat=chat, actor=kid, text="  ", files=[])
    odt = io.BytesIO()
    with zipfile.ZipFile(odt, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    files = [
        upload("Отчёт «итоги».docx", docx_bytes()),
        upload("план.odt", odt.getvalue()),
        upload("оценки.csv", "Фамилия;Оценка\nИванов;5\n".encode()),
        upload("клип.mp4", MP4),
        upload("голос.m4a", b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A isom" + b"\x00" * 8),
    ]
    message = message_post(chat=chat, actor=kid, text="", files=files)
    got = [(a.original_name, a.kind, a.content_type) for a in message.attachments.all()]
    assert got == [
        ("Отчёт «итоги».docx", "document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("план.odt", "document", "application/vnd.oasis.opendocument.text"),
        ("оценки.csv", "document", "text/csv"),
        ("клип.mp4", "video", "video/mp4"),
        ("голос.m4a", "audio", "audio/mp4"),
    ]


def test_deleting_a_message_removes_its_files(school, client, django_capture_on_commit_callbacks):
    chat, kid = school["chat_a"], school["kid_a"]
    message = message_post(chat=chat, actor=kid, text="Фото", files=[upload("a.jpg", jpeg_bytes())])
    photo = message.attachments.get()
    with django_capture_on_commit_callbacks(execute=True):
        message_delete(message=message, actor=kid)
    assert not Attachment.objects.exists() and media_files() == []
    client.force_login(kid)
    assert client.get(file_url(photo)).status_code == 404


# --- the API ------------------------------------------------------------------------------------------------------


def messages_url(chat):
    return f"/api/v1/chats/{chat.pk}/messages/"


def test_api_posts_text_with_files_and_files_alone(api, school):
    chat = school["chat_a"]
    api.force_authenticate(school["kid_a"])
    response = api.post(
        messages_url(chat),
        {"text": "Вот задание", "files": [upload("задание.pdf", PDF), upload("доска.jpg", jpeg_bytes())]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["text"] == "Вот задание"
    pdf, photo = body["attachments"]
    assert (pdf["kind"], pdf["name"], pdf["content_type"], pdf["size"]) == (
        "document",
        "задание.pdf",
        "application/pdf",
        len(PDF),
    )
    assert pdf["thumbnail_url"] is None and pdf["url"].endswith(f"/chats/{chat.pk}/files/{pdf['id']}/")
    assert (photo["kind"], photo["width"], photo["height"]) == ("photo", 800, 1200)
    assert photo["thumbnail_url"].endswith(f"/chats/{chat.pk}/files/{photo['id']}/thumb/")

    only_file = api.post(messages_url(chat), {"files": [upload("a.pdf", PDF)]}, format="multipart")
    assert only_file.status_code == 201 and only_file.json()["text"] == ""
    as_json = api.post(messages_url(chat), {"text": "Просто текст"}, format="json")
    assert as_json.status_code == 201 and as_json.json()["attachments"] == []
    empty = api.post(messages_url(chat), {"text": ""}, format="multipart")
    assert empty.status_code == 400 and empty.json()["error"]["fields"]["text"]


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("photo.jpg", PDF, f"Содержимое файла «photo.jpg» {MISMATCH}."),
        ("setup.exe", PE, f"Файл «setup.exe» — {PROGRAM}."),
        ("act.pdf", PE, f"Файл «act.pdf» — {PROGRAM}."),
        ("run.sh", b"#!/bin/bash\necho\n", f"Файл «run.sh» — {PROGRAM}."),
    ],
)
def test_api_refuses_bad_files_with_the_error_shape(api, school, name, data, expected):
    chat = school["chat_a"]
    api.force_authenticate(school["kid_a"])
    response = api.post(messages_url(chat), {"text": "Смотрите", "files": [upload(name, data)]}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"error": {"code": "file_refused", "message": expected, "fields": {"files": [expected]}}}
    assert_nothing_stored(chat)


def test_api_refuses_an_oversized_file(api, school, settings):
    settings.CHAT_ATTACHMENT_MAX_BYTES = {**settings.CHAT_ATTACHMENT_MAX_BYTES, "document": 2048}
    chat = school["chat_a"]
    api.force_authenticate(school["kid_a"])
    response = api.post(messages_url(chat), {"files": [upload("big.pdf", PDF + b" " * 4096)]}, format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Файл «big.pdf» слишком большой: документы — не более 2 КБ."
    assert_nothing_stored(chat)


def test_a_video_larger_than_the_request_body_limit_is_accepted(api, school, client):
    # DATA_UPLOAD_MAX_MEMORY_SIZE does not count the files of a multipart body: a video under its own limit passes.
    size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1024 * 1024
    assert size < settings.CHAT_ATTACHMENT_MAX_BYTES["video"]
    video = MP4 + b"\x00" * (size - len(MP4))
    chat = school["chat_a"]
    api.force_authenticate(school["kid_a"])
    response = api.post(messages_url(chat), {"files": [upload("урок.mp4", video)]}, format="multipart")
    assert response.status_code == 201, response.content
    client.force_login(school["curator_a"])
    response = client.post(reverse("chats:post", args=[chat.pk]), {"text": "", "files": [upload("2.mp4", video)]})
    assert response.status_code == 302
    assert list(Attachment.objects.values_list("size", flat=True)) == [size, size]


def test_the_message_list_shows_attachments_without_a_query_per_message(api, school, django_assert_max_num_queries):
    chat, kid = school["chat_a"], school["kid_a"]
    api.force_authenticate(kid)

    def post(count):
        for n in range(count):
            message_post(chat=chat, actor=kid, text=f"№{n}", files=[upload(f"{n}.pdf", PDF), upload("b.pdf", PDF)])

    post(2)
    with django_assert_max_num_queries(20) as few:
        assert len(api.get(messages_url(chat)).json()["results"]) == 2
    post(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = api.get(messages_url(chat)).json()["results"]
    assert len(rows) == 12 and all(len(r["attachments"]) == 2 for r in rows)


# --- downloads ----------------------------------------------------------------------------------------------------


def test_members_download_files_and_thumbnails_others_get_404(api, client, school):
    chat = school["chat_a"]
    original = jpeg_bytes()
    message = message_post(
        chat=chat,
        actor=school["curator_a"],
        text="Фото и план",
        files=[upload(XSS_NAME, original), upload('план "урока"\r\n.pdf', PDF)],
    )
    photo, pdf = message.attachments.all()

    client.force_login(school["kid_a"])
    response = client.get(file_url(photo))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == original
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        "inline; filename=\"img src_x onerror_alert_1.jpg\"; filename*=UTF-8''%3Cimg%20src%3Dx%20onerror%3Dalert"
        "%281%29%3E.jpg"
    )
    thumb = client.get(file_url(photo, "chats:attachment_thumb"))
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(b"".join(thumb.streaming_content))).size == (320, 480)
    document = client.get(file_url(pdf))
    assert document["Content-Type"] == "application/pdf"
    # The line break is dropped from the name; quotes and Cyrillic travel percent-encoded only.
    assert pdf.original_name == 'план "урока".pdf'
    assert (
        document["Content-Disposition"]
        == f"attachment; filename=\"file.pdf\"; filename*=UTF-8''{quote(pdf.original_name)}"
    )
    assert client.get(file_url(pdf, "chats:attachment_thumb")).status_code == 404
    ranged = client.get(file_url(pdf), headers={"range": "bytes=0-7"})
    assert ranged.status_code == 206 and b"".join(ranged.streaming_content) == PDF[:8]
    assert ranged["Content-Range"] == f"bytes 0-7/{len(PDF)}"

    # A student of another class and another organisation's administrator: not found, file and thumbnail alike.
    for outsider in (school["kid_b"], school["other_admin"]):
        client.force_login(outsider)
        assert client.get(file_url(photo)).status_code == 404
        assert client.get(file_url(photo, "chats:attachment_thumb")).status_code == 404
        assert client.get(file_url(pdf)).status_code == 404
    # An attachment id under another chat's URL is not found either.
    other_chat = Chat.objects.get(organisation=school["org"], kind="class", group__name="5Б")
    client.force_login(school["kid_b"])
    assert client.get(reverse("chats:attachment", args=[other_chat.pk, photo.pk])).status_code == 404

    client.logout()
    assert client.get(file_url(photo)).status_code == 302
    # No public path leads to the stored file.
    assert client.get(f"/media/{photo.file.name}").status_code == 404
    # Apps download with their API token.
    token = Token.objects.create(user=school["kid_a"])
    assert client.get(file_url(photo), headers={"authorization": f"Token {token.key}"}).status_code == 200
    token_b = Token.objects.create(user=school["kid_b"])
    assert client.get(file_url(photo), headers={"authorization": f"Token {token_b.key}"}).status_code == 404


# --- the browser form ---------------------------------------------------------------------------------------------


def test_the_form_posts_a_file_and_the_page_shows_it_escaped(client, school, django_assert_max_num_queries):
    chat, kid = school["chat_a"], school["kid_a"]
    client.force_login(kid)
    page = client.get(reverse("chats:chat", args=[chat.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in page and 'type="file" name="files" multiple' in page
    assert "До 5 файлов в сообщении" in page and "видео (MP4, WebM, MOV) — до 50 МБ" in page

    response = client.post(
        reverse("chats:post", args=[chat.pk]),
        {"text": "", "files": [upload(XSS_NAME, jpeg_bytes()), upload("итоги.pdf", PDF + b" " * 1_250_000)]},
        follow=True,
    )
    html = response.content.decode()
    photo, pdf = Attachment.objects.order_by("pk")
    assert 'alt="&lt;img src=x onerror=alert(1)&gt;.jpg"' in html
    assert "<img src=x" not in html
    assert f'href="{file_url(photo)}"' in html and f'src="{file_url(photo, "chats:attachment_thumb")}"' in html
    assert f'<a href="{file_url(pdf)}" download>итоги.pdf</a>' in html
    assert "1,2\xa0МБ" in html

    # More messages with files do not add queries to the page.
    for n in range(3):
        message_post(chat=chat, actor=kid, text=f"ещё {n}", files=[upload("a.pdf", PDF)])
    with django_assert_max_num_queries(60) as few:
        client.get(reverse("chats:chat", args=[chat.pk]))
    for n in range(10):
        message_post(chat=chat, actor=kid, text=f"ещё {n}", files=[upload("a.pdf", PDF), upload("b.pdf", PDF)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("chats:chat", args=[chat.pk]))


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("photo.jpg", PDF, f"Содержимое файла «photo.jpg» {MISMATCH}."),
        ("setup.exe", PE, f"Файл «setup.exe» — {PROGRAM}."),
        ("act.pdf", PE, f"Файл «act.pdf» — {PROGRAM}."),
        ("start.bat", b"@echo off\r\nformat c:\r\n", f"Файл «start.bat» — {PROGRAM}."),
    ],
)
def test_the_form_shows_why_a_file_is_refused(client, school, name, data, expected):
    chat = school["chat_a"]
    client.force_login(school["kid_a"])
    response = client.post(
        reverse("chats:post", args=[chat.pk]), {"text": "Смотрите", "files": [upload(name, data)]}, follow=True
    )
    assert expected in response.content.decode()
    assert_nothing_stored(chat)


def test_the_form_refuses_an_oversized_file_and_an_empty_message(client, school, settings):
    settings.CHAT_ATTACHMENT_MAX_BYTES = {**settings.CHAT_ATTACHMENT_MAX_BYTES, "photo": 2048}
    chat = school["chat_a"]
    client.force_login(school["kid_a"])
    url = reverse("chats:post", args=[chat.pk])
    response = client.post(url, {"text": "", "files": [upload("big.jpg", jpeg_bytes())]}, follow=True)
    assert "Файл «big.jpg» слишком большой: фото — не более 2 КБ." in response.content.decode()
    response = client.post(url, {"text": "  "}, follow=True)
    assert "Введите текст сообщения или приложите файл." in response.content.decode()
    assert_nothing_stored(chat)
