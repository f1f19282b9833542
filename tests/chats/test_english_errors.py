"""A member who chose English in the footer reads the chats' errors in English: through the API's error shape and
from the services, with the names and limits put into the sentence; without the choice they stay Russian."""

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from chats.models import Chat
from chats.services.messages import message_post
from chats.services.sync import chats_sync_organisation
from portal.exceptions import RuleViolation
from tests.factories import ClassFactory, OrganisationFactory, curator_of, student_in

pytestmark = pytest.mark.django_db

PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"\x40\x00\x00\x00PE\x00\x00"


@pytest.fixture
def school():
    org = OrganisationFactory()
    a = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    people = {"curator": curator_of(a), "kid": student_in(a), "kid2": student_in(a)}
    chats_sync_organisation(organisation=org)
    people["chat"] = Chat.objects.get(group=a, kind="class")
    return people


@pytest.fixture
def english(api):
    api.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return api


def messages_url(chat, mid=None):
    return f"/api/v1/chats/{chat.pk}/messages/" + (f"{mid}/" if mid else "")


def test_reporting_ones_own_message_is_refused_in_english_through_the_api(english, school):
    own = message_post(chat=school["chat"], actor=school["kid"], text="Моё сообщение")
    english.force_authenticate(school["kid"])
    resp = english.post(messages_url(school["chat"], own.pk) + "report/", {"reason": "spam"})
    assert resp.status_code == 400
    assert resp.json()["error"]["message"] == "You cannot report your own message: you can edit or delete it."


def test_a_too_long_message_is_refused_in_english_with_the_limit_and_the_field(english, school):
    english.force_authenticate(school["kid"])
    resp = english.post(messages_url(school["chat"]), {"text": "я" * 4001}, format="json")
    assert resp.status_code == 400
    error = resp.json()["error"]
    assert error["message"] == "The message is longer than 4000 characters."
    assert error["fields"]["text"] == ["The message is longer than 4000 characters."]


def test_without_the_choice_the_same_error_stays_russian(api, school):
    api.force_authenticate(school["kid"])
    resp = api.post(messages_url(school["chat"]), {"text": "я" * 4001}, format="json", HTTP_ACCEPT_LANGUAGE="en-US")
    assert resp.status_code == 400
    assert resp.json()["error"]["message"] == "Сообщение длиннее 4000 символов."


def test_a_refused_attachment_names_the_file_in_english(school):
    files = [SimpleUploadedFile("virus.exe", PE), SimpleUploadedFile("empty.pdf", b"")]
    with translation.override("en"), pytest.raises(RuleViolation) as refused:
        message_post(chat=school["chat"], actor=school["kid"], text="Домашнее задание", files=files)
    assert refused.value.fields["files"] == [
        "The file “virus.exe” is a program or a script: such files cannot be sent.",
        "The file “empty.pdf” is empty.",
    ]


def test_an_oversized_photo_gives_its_kind_and_limit_in_english(school, settings):
    settings.CHAT_ATTACHMENT_MAX_BYTES = {**settings.CHAT_ATTACHMENT_MAX_BYTES, "photo": 4096}
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 5000)
    with translation.override("en"), pytest.raises(RuleViolation) as refused:
        message_post(chat=school["chat"], actor=school["kid"], text="", files=[big])
    assert refused.value.message == "The file “big.jpg” is too large: photo — no more than 4 KB."
