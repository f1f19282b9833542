"""The storage of uploads when the disk fills up or the folder cannot be written: no partial file stays, and the
failure is a Russian PortalError. Simulated by a file whose write fails half way (ENOSPC / EACCES), as a full disk
does; tests/faults/test_disk_full.py does it with a real full file system."""

import errno
import os
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from chats.models import Attachment, Chat, Message
from chats.services.messages import message_post
from chats.services.sync import chats_sync_organisation
from portal.exceptions import StorageFull, StorageUnavailable
from portal.storage import PortalFileSystemStorage
from tests.chats.test_attachments import PDF
from tests.factories import ClassFactory, OrganisationFactory, curator_of, student_in


@pytest.fixture
def failing_writes(monkeypatch):
    """Files opened for writing accept 100 bytes, then fail with the errno given to the returned setter."""
    failure = {"errno": errno.ENOSPC}
    real_fdopen = os.fdopen

    class HalfWritten:
        def __init__(self, handle):
            self.handle = handle

        def write(self, data):
            self.handle.write(data[:100])
            self.handle.flush()
            raise OSError(failure["errno"], os.strerror(failure["errno"]))

        def close(self):
            self.handle.close()

    monkeypatch.setattr(os, "fdopen", lambda fd, mode="r", *a, **kw: HalfWritten(real_fdopen(fd, mode, *a, **kw)))
    return lambda code: failure.update(errno=code)


@pytest.fixture
def class_chat():
    """The chat of a class and one of its students."""
    org = OrganisationFactory()
    group = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    curator_of(group)
    kid = student_in(group)
    chats_sync_organisation(organisation=org)
    chat = Chat.objects.get(group=group, kind="class")
    return chat, kid


def files_under(root) -> list[Path]:
    return sorted(p for p in Path(root).rglob("*") if p.is_file())


@pytest.mark.parametrize(
    ("code", "error", "words"),
    [
        (errno.ENOSPC, StorageFull, "на сервере закончилось место"),
        (errno.EDQUOT, StorageFull, "на сервере закончилось место"),
        (errno.EACCES, StorageUnavailable, "хранилище файлов на сервере недоступно"),
        (errno.EIO, StorageUnavailable, "хранилище файлов на сервере недоступно"),
    ],
)
def test_a_write_failing_half_way_leaves_no_file_and_says_why(tmp_path, failing_writes, code, error, words):
    failing_writes(code)
    storage = PortalFileSystemStorage(location=tmp_path)
    with pytest.raises(error) as raised:
        storage.save("chats/1/file.pdf", ContentFile(b"x" * 1000))
    assert words in raised.value.message
    assert files_under(tmp_path) == []


def test_an_existing_file_of_the_same_name_is_kept(tmp_path, failing_writes):
    (tmp_path / "chats").mkdir()
    (tmp_path / "chats" / "file.pdf").write_bytes(b"earlier")
    with pytest.raises(StorageFull):
        PortalFileSystemStorage(location=tmp_path).save("chats/file.pdf", ContentFile(b"x" * 1000))
    assert [p.read_bytes() for p in files_under(tmp_path)] == [b"earlier"]


@pytest.mark.django_db
def test_a_message_whose_file_cannot_be_stored_is_not_posted(settings, failing_writes, class_chat):
    chat, kid = class_chat

    with pytest.raises(StorageFull):
        message_post(chat=chat, actor=kid, text="Итоги", files=[SimpleUploadedFile("итоги.pdf", PDF * 20)])
    assert not Message.objects.filter(chat=chat).exists()
    assert not Attachment.objects.exists()
    assert files_under(settings.MEDIA_ROOT) == []


@pytest.mark.django_db
def test_the_chat_page_and_the_api_say_the_disk_is_full(client, api, settings, failing_writes, class_chat):
    chat, kid = class_chat
    client.force_login(kid)

    response = client.post(
        reverse("chats:post", args=[chat.pk]),
        {"text": "Итоги четверти", "files": [SimpleUploadedFile("итоги.pdf", PDF * 20)]},
        follow=True,
    )
    html = response.content.decode()
    assert "на сервере закончилось место" in html
    assert "Итоги четверти</textarea>" in html

    api.force_login(kid)
    response = api.post(
        f"/api/v1/chats/{chat.pk}/messages/", {"files": [SimpleUploadedFile("итоги.pdf", PDF * 20)]}, format="multipart"
    )
    assert response.status_code == 507
    assert response.json()["error"]["code"] == "storage_full"
    assert not Message.objects.filter(chat=chat).exists()
    assert files_under(settings.MEDIA_ROOT) == []
