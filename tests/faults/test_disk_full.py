"""A full disk or a read-only media folder under an upload: a Russian error, and nothing half-stored.

MEDIA_ROOT is a real 64 KiB tmpfs (mounted for the test, which needs root and a sandbox that allows mounts):
a 200 KiB file fills it part way and the write fails with ENOSPC, as on a full server. Afterwards there is no
message or application row, no file, and the space is free again (a small file fits).
"""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.authtoken.models import Token

from chats.models import Attachment, Chat, Message
from chats.services.sync import chats_sync_organisation
from orgs.models import RegistrationApplication
from tests.chats.test_attachments import PDF
from tests.factories import ClassFactory, OrganisationFactory, curator_of, student_in
from tests.orgs.test_views import _application_data

pytestmark = [pytest.mark.faults, pytest.mark.django_db]

FULL = "на сервере закончилось место"
UNAVAILABLE = "хранилище файлов на сервере недоступно"
BIG_PDF = PDF + b" " * (200 * 1024)  # larger than the whole disk


def _run(*cmd) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=20)


@pytest.fixture
def tiny_disk(settings, tmp_path):
    """MEDIA_ROOT on a 64 KiB tmpfs of its own; unmounted afterwards whatever happens."""
    if not shutil.which("mount"):
        pytest.skip("нет программы mount")
    root = tmp_path / "media"
    root.mkdir()
    mounted = _run("mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", str(root))
    if mounted.returncode:
        pytest.skip(f"нельзя смонтировать tmpfs (нужен root и разрешение песочницы): {mounted.stderr.strip()}")
    settings.MEDIA_ROOT = root
    try:
        yield root
    finally:
        if _run("umount", str(root)).returncode:
            _run("umount", "-l", str(root))


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.fixture
def chat_member():
    org = OrganisationFactory()
    group = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    curator_of(group)
    kid = student_in(group)
    chats_sync_organisation(organisation=org)
    return Chat.objects.get(group=group, kind="class"), kid


def _upload(data=BIG_PDF, name="итоги.pdf"):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_chat_form_on_a_full_disk_says_so_keeps_the_text_and_stores_nothing(client, tiny_disk, chat_member):
    chat, kid = chat_member
    client.force_login(kid)
    url = reverse("chats:post", args=[chat.pk])
    response = client.post(url, {"text": "Итоги четверти", "files": [_upload()]}, follow=True)

    html = response.content.decode()
    assert response.status_code == 200
    assert FULL in html
    assert "Итоги четверти</textarea>" in html  # the typed text is back in the box
    assert not Message.objects.filter(chat=chat).exists()
    assert not Attachment.objects.exists()
    assert stored_files(tiny_disk) == []

    # The partial file was removed, so the disk has its space back: a small file fits.
    response = client.post(url, {"text": "Итоги", "files": [_upload(PDF, "кратко.pdf")]}, follow=True)
    assert FULL not in response.content.decode()
    assert Message.objects.get(chat=chat).text == "Итоги"
    assert len(stored_files(tiny_disk)) == 1
    # The draft is used once: the next visit shows an empty box.
    assert "Итоги четверти</textarea>" not in client.get(reverse("chats:chat", args=[chat.pk])).content.decode()


def test_chat_api_on_a_full_disk_answers_507_in_the_error_shape(api, tiny_disk, chat_member):
    chat, kid = chat_member
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=kid).key}")
    response = api.post(
        f"/api/v1/chats/{chat.pk}/messages/", {"text": "Итоги", "files": [_upload()]}, format="multipart"
    )

    assert response.status_code == 507
    error = response.json()["error"]
    assert error["code"] == "storage_full"
    assert FULL in error["message"]
    assert not Message.objects.filter(chat=chat).exists()
    assert stored_files(tiny_disk) == []


def test_read_only_media_folder_answers_503_and_stores_nothing(api, tiny_disk, chat_member):
    chat, kid = chat_member
    assert _run("mount", "-o", "remount,ro", str(tiny_disk)).returncode == 0
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=kid).key}")
    response = api.post(f"/api/v1/chats/{chat.pk}/messages/", {"text": "", "files": [_upload(PDF)]}, format="multipart")

    assert response.status_code == 503
    assert response.json()["error"]["code"] == "storage_unavailable"
    assert UNAVAILABLE in response.json()["error"]["message"]
    assert not Message.objects.filter(chat=chat).exists()
    assert stored_files(tiny_disk) == []


def test_registration_form_on_a_full_disk_shows_the_error_and_keeps_the_answers(client, tiny_disk):
    data = _application_data(order_file=_upload(name="prikaz.pdf"))
    response = client.post(reverse("orgs:application_create"), data)

    html = response.content.decode()
    assert response.status_code == 200
    assert FULL in html
    assert 'value="Доржиева"' in html  # the form comes back filled in
    assert not RegistrationApplication.objects.exists()
    assert stored_files(tiny_disk) == []


def test_registration_api_on_a_full_disk_answers_507(api, tiny_disk):
    data = _application_data(admin_phone="+79021234567", order_file=_upload(name="prikaz.pdf"))
    response = api.post("/api/v1/registrations/", data, format="multipart")

    assert response.status_code == 507, response.json()
    assert response.json()["error"]["code"] == "storage_full"
    assert not RegistrationApplication.objects.exists()
    assert stored_files(tiny_disk) == []
