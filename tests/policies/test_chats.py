"""The content rules through the chats services: a message, an edit, a chat's title, a poll and a file name that
send people to a forbidden service or swear are refused with the clause of the regulation; the refusal is logged
without the text and counted; a bare mention is posted and queued for the moderators."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from chats.models import Chat, Message, Poll, Report
from chats.services.manage import chat_create, chat_rename
from chats.services.messages import message_edit, message_post
from chats.services.polls import poll_create
from chats.services.sync import chats_sync_organisation
from orgs.models import AuditEntry
from policies.citations import clause_reference
from policies.models import ContentRefusalCount, ForbiddenService
from policies.selectors_content import refusals_by_day
from policies.services.content import text_allowed, text_check
from policies.services.rules import forbidden_service_update
from portal.exceptions import RuleViolation
from tests.factories import ClassFactory, OrganisationFactory, admin_of, curator_of, student_in

pytestmark = pytest.mark.django_db

CLAUSE = "п. 4.3 Порядка использования платформы"
SECRET = "chat.whatsapp.com/SeCrEt"


@pytest.fixture
def school():
    org = OrganisationFactory()
    group = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    people = {"org": org, "admin": admin_of(org), "curator": curator_of(group), "kid": student_in(group)}
    people["curator"].email = "curator@example.org"
    people["curator"].save(update_fields=["email"])
    chats_sync_organisation(organisation=org)
    people["chat"] = Chat.objects.get(group=group, kind="class")
    return people


def _refusals(org):
    return AuditEntry.objects.filter(organisation=org, action="content.refused")


def test_a_group_link_is_refused_with_the_clause_logged_without_the_text_and_counted(school):
    org, kid, chat = school["org"], school["kid"], school["chat"]
    with pytest.raises(RuleViolation) as refused:
        message_post(chat=chat, actor=kid, text=f"Вступайте: https://{SECRET}")
    error = refused.value
    assert "«WhatsApp»" in error.message and CLAUSE in error.message and error.message.startswith("Сообщение не")
    assert error.fields == {"text": [error.message]} and error.code == "content_forbidden_service"
    assert clause_reference(org, "forbidden_service") == CLAUSE
    assert not Message.objects.filter(chat=chat).exists()
    entry = _refusals(org).get()
    assert entry.actor == kid and entry.object_id == str(chat.pk)
    assert entry.details == {
        "rule": "запрещённый сервис",
        "where": "сообщение",
        "service": "WhatsApp",
        "evidence": "ссылка",
    }
    stored = f"{entry.details} {entry.object_repr}"
    assert "SeCrEt" not in stored and "whatsapp.com" not in stored and "Вступайте" not in stored
    assert ContentRefusalCount.objects.get(organisation=org).count == 1
    with pytest.raises(RuleViolation, match="Нецензурная"):
        message_post(chat=chat, actor=kid, text="бля")
    assert _refusals(org).count() == 2
    assert sum(ContentRefusalCount.objects.filter(organisation=org).values_list("count", flat=True)) == 2
    rows = refusals_by_day(org)
    assert {(r["rule_label"], r["total"]) for r in rows} == {("запрещённый сервис", 1), ("нецензурная лексика", 1)}
    assert refusals_by_day(OrganisationFactory()) == []


def test_an_edit_that_adds_a_call_is_refused_and_the_message_keeps_its_text(school):
    kid, chat = school["kid"], school["chat"]
    message = message_post(chat=chat, actor=kid, text="Домашка на завтра")
    with pytest.raises(RuleViolation, match="Изменение не сохранено.*«Telegram».*п. 4.3"):
        message_edit(message=message, actor=kid, text="Пишите в тeлeгу")  # Latin «е»
    message.refresh_from_db()
    assert message.text == "Домашка на завтра" and message.edited_at is None
    assert _refusals(school["org"]).get().details["where"] == "изменение сообщения"


def test_a_bare_mention_is_posted_and_queued_for_the_moderators_once(school, django_capture_on_commit_callbacks):
    kid, chat = school["kid"], school["chat"]
    with django_capture_on_commit_callbacks(execute=True):
        message = message_post(chat=chat, actor=kid, text="У меня телеграм не работает")
    report = Report.objects.get(message=message)
    assert report.automatic and report.reporter is None and report.reason == Report.Reason.FORBIDDEN_SERVICE
    assert "Telegram" in report.comment and report.status == Report.Status.OPEN
    assert any("Автоматическая проверка" in m.subject for m in mail.outbox)
    message_edit(message=message, actor=kid, text="У меня телеграм снова не работает")
    assert Report.objects.filter(message=message).count() == 1
    assert not _refusals(school["org"]).exists()
    clean = message_post(chat=chat, actor=kid, text="Всем привет")
    assert not Report.objects.filter(message=clean).exists()


def test_chat_titles_are_checked_at_creation_and_renaming(school):
    org, admin = school["org"], school["admin"]
    with pytest.raises(RuleViolation, match="Название чата не сохранено") as refused:
        chat_create(organisation=org, actor=admin, kind=Chat.Kind.OTHER, title="Переходим в дискорд")
    assert "title" in refused.value.fields
    chat = chat_create(organisation=org, actor=admin, kind=Chat.Kind.OTHER, title="Поход")
    with pytest.raises(RuleViolation, match="п. 4.2"):
        chat_rename(chat=chat, actor=admin, title="Поход, бля")
    chat.refresh_from_db()
    assert chat.title == "Поход"
    assert list(_refusals(org).values_list("details__where", flat=True)) == ["название чата"] * 2


def test_poll_question_and_options_are_checked(school):
    curator, chat = school["curator"], school["chat"]
    with pytest.raises(RuleViolation) as refused:
        poll_create(chat=chat, actor=curator, question="Где общаемся?", options=["Здесь", "Го в тг"])
    assert "options" in refused.value.fields and "Опрос не создан" in refused.value.message
    with pytest.raises(RuleViolation) as refused:
        poll_create(chat=chat, actor=curator, question="Пишите в вайбер?", options=["Да", "Нет"])
    assert "question" in refused.value.fields
    assert not Poll.objects.exists() and not Message.objects.filter(chat=chat).exists()
    poll = poll_create(chat=chat, actor=curator, question="Кто пользуется скайпом?", options=["Я", "Не я"])
    assert Report.objects.get(message=poll.message).automatic


def test_attachment_file_names_are_checked(school):
    kid, chat = school["kid"], school["chat"]
    upload = SimpleUploadedFile("t.me_class5a.txt", "Привет".encode(), content_type="text/plain")
    with pytest.raises(RuleViolation, match="Файл не отправлен") as refused:
        message_post(chat=chat, actor=kid, text="Смотрите файл", files=[upload])
    assert "files" in refused.value.fields
    assert not Message.objects.filter(chat=chat).exists()
    assert _refusals(school["org"]).get().details["where"] == "имя файла"
    fine = SimpleUploadedFile("конспект.txt", "Привет".encode(), content_type="text/plain")
    assert message_post(chat=chat, actor=kid, text="", files=[fine]).attachments.count() == 1


def test_each_organisation_has_its_own_rules_and_a_change_applies_at_once(school):
    org, admin = school["org"], school["admin"]
    other = OrganisationFactory()
    assert not text_allowed(org, "пишите в телегу") and not text_allowed(other, "пишите в телегу")
    telegram = ForbiddenService.objects.get(organisation=org, name="Telegram")
    forbidden_service_update(service=telegram, actor=admin, enabled=False)
    assert text_allowed(org, "пишите в телегу") and text_check(org, "t.me/x").outcome == "allowed"
    assert not text_allowed(other, "пишите в телегу")
    assert ForbiddenService.objects.filter(organisation=other).count() == 9


def test_the_check_costs_one_query_once_the_rules_are_compiled(school, django_assert_num_queries):
    org = school["org"]
    text_check(org, "первый раз")
    with django_assert_num_queries(1):
        assert text_check(org, "пишите в вотсап").refused
