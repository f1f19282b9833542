"""Moderation: reports and the queue, muting and removing members, pinned posts — services, pages and the API."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chats.models import Chat, ChatMember, Message, Report
from chats.services.messages import message_delete, message_post
from chats.services.moderation import member_mute, message_pin, report_create, report_resolve
from chats.services.polls import poll_create
from chats.services.sync import chats_sync_organisation
from portal.exceptions import PermissionDenied, RuleViolation
from tests.factories import ClassFactory, OrganisationFactory, admin_of, curator_of, student_in, teacher_of

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script>'


def add_by_hand(chat, user, role=ChatMember.Role.MEMBER):
    return ChatMember.objects.create(chat=chat, user=user, role=role, managed_by_structure=False)


@pytest.fixture
def school():
    org = OrganisationFactory(time_zone="Asia/Irkutsk")
    a = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    b = ClassFactory(organisation=org, grade=5, letter="Б", name="5Б")
    people = {
        "org": org,
        "admin": admin_of(org),
        "curator_a": curator_of(a),
        "curator_b": curator_of(b),
        "kid_a": student_in(a),
        "kid_a2": student_in(a),
        "kid_b": student_in(b),
        "helper": teacher_of(org),  # a moderator of 5А's chat, appointed by hand
        "guest": teacher_of(org),  # added to 5А's chat by hand
    }
    chats_sync_organisation(organisation=org)
    chat_a = Chat.objects.get(group=a, kind="class")
    people["chat_a"] = chat_a
    people["chat_b"] = Chat.objects.get(group=b, kind="class")
    people["general"] = Chat.objects.get(organisation=org, kind="general_channel")
    add_by_hand(chat_a, people["helper"], ChatMember.Role.MODERATOR)
    add_by_hand(chat_a, people["guest"])
    # Another organisation with its own administrator and class chat.
    other = OrganisationFactory()
    other_class = ClassFactory(organisation=other, name="5А")
    people["other_admin"] = admin_of(other)
    curator_of(other_class)
    student_in(other_class)
    chats_sync_organisation(organisation=other)
    people["other_org"] = other
    return people


def post(school, chat="chat_a", author="kid_a", text="Текст сообщения"):
    return message_post(chat=school[chat], actor=school[author], text=text)


def report(school, message, reporter="kid_a2", reason="insult", comment=""):
    return report_create(message=message, actor=school[reporter], reason=reason, comment=comment)


def queue_url(org):
    return reverse("chats:reports", args=[org.pk])


def api_queue(org):
    return f"/api/v1/orgs/{org.pk}/reports/"


def api_message(chat, message, action):
    return f"/api/v1/chats/{chat.pk}/messages/{message.pk}/{action}/"


def api_member(chat, user, action=""):
    return f"/api/v1/chats/{chat.pk}/members/{user.pk}/" + (f"{action}/" if action else "")


# --- reports -----------------------------------------------------------------------------------------------------


def test_a_member_reports_a_message_once_and_the_moderators_get_a_letter(
    api, school, django_capture_on_commit_callbacks
):
    message = post(school)
    api.force_authenticate(school["kid_a2"])
    with django_capture_on_commit_callbacks(execute=True):
        resp = api.post(
            api_message(school["chat_a"], message, "report"), {"reason": "insult", "comment": " Обзывается "}
        )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["status"] == "open" and body["reason"] == "insult" and body["comment"] == "Обзывается"
    assert body["reporter"]["id"] == school["kid_a2"].pk and body["message"]["text"] == "Текст сообщения"

    # The chat's owner and moderator and the administrator are told, one letter each; the reporter is not.
    recipients = sorted(m.to[0] for m in mail.outbox)
    expected = sorted(school[k].email for k in ("curator_a", "helper", "admin"))
    assert recipients == expected
    assert "5А" in mail.outbox[0].subject and f"/orgs/{school['org'].pk}/chats/reports/" in mail.outbox[0].body
    assert "Обзывается" not in mail.outbox[0].body  # the letter does not carry the complaint itself

    # A second report while the first waits is refused politely, and nothing is added.
    again = api.post(api_message(school["chat_a"], message, "report"), {"reason": "spam"})
    assert again.status_code == 409
    assert again.json()["error"]["message"] == "Вы уже пожаловались на это сообщение. Жалоба ждёт решения модератора."
    assert Report.objects.filter(message=message).count() == 1


def test_reports_on_own_deleted_and_unreadable_messages_are_refused(api, school):
    own = post(school, author="kid_a2")
    gone = post(school)
    message_delete(message=gone, actor=school["kid_a"])
    api.force_authenticate(school["kid_a2"])
    resp = api.post(api_message(school["chat_a"], own, "report"), {"reason": "spam"})
    assert resp.status_code == 400 and "На своё сообщение" in resp.json()["error"]["message"]
    resp = api.post(api_message(school["chat_a"], gone, "report"), {"reason": "spam"})
    assert resp.status_code == 400 and resp.json()["error"]["message"] == "Сообщение уже удалено."
    resp = api.post(api_message(school["chat_a"], post(school), "report"), {"reason": "нет такой"})
    assert resp.status_code == 400 and "reason" in resp.json()["error"]["fields"]
    # A student of 5Б cannot even see that 5А's message exists.
    api.force_authenticate(school["kid_b"])
    resp = api.post(api_message(school["chat_a"], post(school), "report"), {"reason": "spam"})
    assert resp.status_code == 404
    assert not Report.objects.exists()


def test_the_report_form_in_the_browser(client, school):
    message = post(school, text="Грубость")
    client.force_login(school["kid_a2"])
    chat_url = reverse("chats:chat", args=[school["chat_a"].pk])
    html = client.get(chat_url).content.decode()
    assert "Пожаловаться" in html and f"?report={message.pk}#report-form" in html
    assert 'id="report-form"' not in html  # one form, for the message chosen
    html = client.get(f"{chat_url}?report={message.pk}").content.decode()
    assert 'id="report-form"' in html and 'for="report-reason"' in html and "Грубость" in html
    # Nothing to report about one's own message, or another chat's.
    own = post(school, author="kid_a2", text="Моё")
    other = post(school, chat="chat_b", author="kid_b", text="Чужой чат")
    for pk in (own.pk, other.pk):
        assert 'id="report-form"' not in client.get(f"{chat_url}?report={pk}").content.decode()
    resp = client.post(
        reverse("chats:report", args=[school["chat_a"].pk, message.pk]),
        {"reason": "insult", "comment": XSS},
        follow=True,
    )
    assert "Спасибо! Жалоба отправлена модераторам чата." in resp.content.decode()
    assert Report.objects.get(message=message).comment == XSS
    # Your own messages offer no complaint button.
    client.force_login(school["kid_a"])
    html = client.get(chat_url).content.decode()
    assert f"?report={message.pk}#" not in html and f"?report={own.pk}#" in html


# --- the queue ---------------------------------------------------------------------------------------------------


def test_the_queue_shows_each_moderator_only_their_chats_reports(client, api, school):
    in_a = report(school, post(school, text="Сообщение в 5А"))
    in_b = report(school, post(school, chat="chat_b", author="kid_b", text="Сообщение в 5Б"), reporter="curator_b")
    org = school["org"]

    client.force_login(school["curator_a"])
    html = client.get(queue_url(org)).content.decode()
    assert "Сообщение в 5А" in html and "Сообщение в 5Б" not in html

    client.force_login(school["admin"])
    html = client.get(queue_url(org)).content.decode()
    assert "Сообщение в 5А" in html and "Сообщение в 5Б" in html

    # The owner of another chat sees the queue of their own chat, not 5А's report, and cannot settle it.
    client.force_login(school["curator_b"])
    html = client.get(queue_url(org)).content.decode()
    assert "Сообщение в 5А" not in html
    resp = client.post(reverse("chats:resolve", args=[org.pk, in_a.pk]), {"action": "dismiss"})
    assert resp.status_code == 404
    api.force_authenticate(school["curator_b"])
    assert [r["id"] for r in api.get(api_queue(org)).json()["results"]] == [in_b.pk]
    assert api.post(f"{api_queue(org)}{in_a.pk}/resolve/", {"action": "dismiss"}).status_code == 404

    # A plain member has no queue at all.
    client.force_login(school["kid_a"])
    assert client.get(queue_url(org)).status_code == 403
    assert client.post(reverse("chats:resolve", args=[org.pk, in_a.pk]), {"action": "dismiss"}).status_code == 403
    api.force_authenticate(school["kid_a"])
    assert api.get(api_queue(org)).status_code == 403

    # Another organisation's administrator finds nothing here.
    client.force_login(school["other_admin"])
    assert client.get(queue_url(org)).status_code == 404
    api.force_authenticate(school["other_admin"])
    assert api.get(api_queue(org)).status_code == 404
    assert api.post(f"{api_queue(org)}{in_a.pk}/resolve/", {"action": "dismiss"}).status_code == 404
    assert Report.objects.filter(status=Report.Status.OPEN).count() == 2


def test_the_queue_page_escapes_the_message_and_the_list_links_to_it_with_the_count(client, school):
    report(school, post(school, text=XSS), comment=XSS)
    client.force_login(school["curator_a"])
    html = client.get(queue_url(school["org"])).content.decode()
    assert XSS not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert school["kid_a"].full_name in html and school["kid_a2"].full_name in html
    assert "Оскорбление или травля" in html and "Удалить сообщение" in html and "Отклонить жалобу" in html

    listing = client.get(reverse("chats:chat_list", args=[school["org"].pk])).content.decode()
    assert queue_url(school["org"]) in listing and "ждут решения: 1" in listing
    client.force_login(school["kid_a"])
    assert (
        queue_url(school["org"]) not in client.get(reverse("chats:chat_list", args=[school["org"].pk])).content.decode()
    )


def test_resolving_deletes_the_message_leaves_a_marker_and_closes_every_report_of_it(client, school):
    message = post(school, text="Плохое сообщение")
    first = report(school, message)
    second = report(school, message, reporter="guest", reason="inappropriate")
    client.force_login(school["curator_a"])
    resp = client.post(
        reverse("chats:resolve", args=[school["org"].pk, first.pk]),
        {"action": "delete_message", "note": "Удалено по жалобе"},
        follow=True,
    )
    assert "Сообщение удалено, жалоба закрыта." in resp.content.decode()
    message.refresh_from_db()
    assert message.is_deleted and message.text == "" and message.deleted_by == school["curator_a"]
    for r in (first, second):
        r.refresh_from_db()
        assert r.status == Report.Status.MESSAGE_DELETED and r.resolved_by == school["curator_a"]
        assert r.resolution_note == "Удалено по жалобе"
    html = client.get(reverse("chats:chat", args=[school["chat_a"].pk])).content.decode()
    assert "Сообщение удалено" in html and "Плохое сообщение" not in html
    # The queue is empty; the settled reports are under their status.
    assert "Новых жалоб нет." in client.get(queue_url(school["org"])).content.decode()
    settled = client.get(queue_url(school["org"]) + "?status=message_deleted").content.decode()
    assert "Удалено по жалобе" in settled


def test_dismissing_keeps_the_message_and_a_settled_report_cannot_be_settled_again(api, school):
    message = post(school, text="Нормальное сообщение")
    first = report(school, message)
    api.force_authenticate(school["admin"])
    resp = api.post(f"{api_queue(school['org'])}{first.pk}/resolve/", {"action": "dismiss", "note": "Нарушения нет"})
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "dismissed" and resp.json()["resolved_by"]["id"] == school["admin"].pk
    message.refresh_from_db()
    assert not message.is_deleted
    again = api.post(f"{api_queue(school['org'])}{first.pk}/resolve/", {"action": "delete_message"})
    assert again.status_code == 409 and again.json()["error"]["message"] == "Эта жалоба уже рассмотрена."
    # The queue lists open reports by default; settled ones by status, and a chat filter narrows it.
    assert api.get(api_queue(school["org"])).json()["count"] == 0
    assert api.get(api_queue(school["org"]) + "?status=dismissed").json()["count"] == 1
    assert api.get(api_queue(school["org"]) + f"?status=dismissed&chat={school['chat_b'].pk}").json()["count"] == 0
    bad = api.post(f"{api_queue(school['org'])}{first.pk}/resolve/", {"action": "забыть"})
    assert bad.status_code == 400 and "action" in bad.json()["error"]["fields"]


def test_a_message_deleted_by_its_author_closes_its_reports(school):
    message = post(school)
    r = report(school, message)
    message_delete(message=message, actor=school["kid_a"])
    r.refresh_from_db()
    assert r.status == Report.Status.MESSAGE_DELETED


def test_queue_page_queries_do_not_grow_with_reports(client, school, django_assert_max_num_queries):
    reporters = [student_in(school["chat_a"].group) for _ in range(30)]
    chats_sync_organisation(organisation=school["org"])
    message = post(school)

    def fill(n):
        for user in reporters[Report.objects.count() : n]:
            report_create(message=message, actor=user, reason="spam", comment="Реклама")

    client.force_login(school["admin"])
    fill(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(queue_url(school["org"])).status_code == 200
    fill(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(queue_url(school["org"])).content.decode()
    assert html.count('class="card report"') == 20  # one page of 20


# --- mute --------------------------------------------------------------------------------------------------------


def test_a_muted_member_reads_but_cannot_post_edit_or_vote_until_it_ends(client, api, school):
    chat, kid = school["chat_a"], school["kid_a"]
    own = post(school, text="Моё сообщение")
    poll = poll_create(chat=chat, actor=school["curator_a"], question="Когда?", options=["Утром", "Вечером"])
    until = datetime(2036, 11, 22, 10, 0, tzinfo=UTC)  # 18:00 in Irkutsk
    api.force_authenticate(school["curator_a"])
    resp = api.post(api_member(chat, kid, "mute"), {"until": until.isoformat()}, format="json")
    assert resp.status_code == 200, resp.content
    assert resp.json()["is_muted"] and resp.json()["muted_until"].startswith("2036-11-22")

    notice = "Вы не можете писать в этот чат до 22.11.2036 18:00."
    api.force_authenticate(kid)
    resp = api.post(f"/api/v1/chats/{chat.pk}/messages/", {"text": "Привет"}, format="json")
    assert resp.status_code == 403 and resp.json()["error"]["message"] == notice
    resp = api.patch(f"/api/v1/chats/{chat.pk}/messages/{own.pk}/", {"text": "Правка"}, format="json")
    assert resp.status_code == 403
    option = poll.options.first()
    resp = api.post(f"/api/v1/chats/{chat.pk}/polls/{poll.pk}/vote/", {"options": [option.pk]}, format="json")
    assert resp.status_code == 403 and resp.json()["error"]["message"] == notice
    assert api.get(f"/api/v1/chats/{chat.pk}/messages/").status_code == 200  # still reads

    client.force_login(kid)
    html = client.get(reverse("chats:chat", args=[chat.pk])).content.decode()
    assert notice in html and 'id="message-form"' not in html and "Моё сообщение" in html

    # When the time is up, the member writes again by themselves.
    ChatMember.objects.filter(chat=chat, user=kid).update(muted_until=timezone.now() - timedelta(minutes=1))
    resp = api.post(f"/api/v1/chats/{chat.pk}/messages/", {"text": "Снова пишу"}, format="json")
    assert resp.status_code == 201
    assert 'id="message-form"' in client.get(reverse("chats:chat", args=[chat.pk])).content.decode()


def test_mute_until_lifted_then_unmute_in_the_browser(client, school):
    chat, kid = school["chat_a"], school["kid_a"]
    client.force_login(school["helper"])  # a moderator
    resp = client.post(reverse("chats:member_mute", args=[chat.pk, kid.pk]), {"duration": "forever"}, follow=True)
    assert "Участнику запрещено писать в чат." in resp.content.decode()
    assert "не может писать до снятия ограничения" in resp.content.decode()
    with pytest.raises(PermissionDenied, match="пока модератор не снимет ограничение"):
        message_post(chat=chat, actor=kid, text="Можно?")

    resp = client.post(reverse("chats:member_unmute", args=[chat.pk, kid.pk]), follow=True)
    assert "Ограничение снято" in resp.content.decode()
    assert message_post(chat=chat, actor=kid, text="Спасибо").pk
    # The presets: an hour from now.
    client.post(reverse("chats:member_mute", args=[chat.pk, kid.pk]), {"duration": "hour"})
    row = ChatMember.objects.get(chat=chat, user=kid, left_at__isnull=True)
    assert timedelta(minutes=59) < row.muted_until - timezone.now() <= timedelta(hours=1)
    assert row.muted_by == school["helper"]


def test_who_may_mute_whom(api, school):
    chat = school["chat_a"]
    # A plain member moderates nothing.
    api.force_authenticate(school["kid_a2"])
    resp = api.post(api_member(chat, school["kid_a"], "mute"), {}, format="json")
    assert resp.status_code == 403
    # A moderator cannot act on an owner or on another moderator.
    api.force_authenticate(school["helper"])
    resp = api.post(api_member(chat, school["curator_a"], "mute"), {}, format="json")
    assert resp.status_code == 403 and "только администратор" in resp.json()["error"]["message"]
    second_moderator = school["guest"]
    ChatMember.objects.filter(chat=chat, user=second_moderator).update(role=ChatMember.Role.MODERATOR)
    resp = api.post(api_member(chat, second_moderator, "mute"), {}, format="json")
    assert resp.status_code == 403 and "другого модератора" in resp.json()["error"]["message"]
    # The owner may mute the moderator; not in the past; nor someone outside the chat.
    api.force_authenticate(school["curator_a"])
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    assert api.post(api_member(chat, school["helper"], "mute"), {"until": past}, format="json").status_code == 400
    assert api.post(api_member(chat, school["helper"], "mute"), {}, format="json").status_code == 200
    assert api.post(api_member(chat, school["kid_b"], "mute"), {}, format="json").status_code == 404
    # Nobody, not even an administrator, mutes the last owner.
    api.force_authenticate(school["admin"])
    resp = api.post(api_member(chat, school["curator_a"], "mute"), {}, format="json")
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "last_owner"
    # A user of another chat cannot act here at all (404 for a chat they cannot read).
    api.force_authenticate(school["kid_b"])
    assert api.post(api_member(chat, school["kid_a"], "mute"), {}, format="json").status_code == 404
    assert not ChatMember.objects.get(chat=chat, user=school["curator_a"], left_at__isnull=True).is_muted()


def test_an_administrator_may_mute_one_of_two_owners_but_an_owner_may_not(school):
    chat = school["chat_a"]
    co_owner = teacher_of(school["org"])
    add_by_hand(chat, co_owner, ChatMember.Role.OWNER)
    with pytest.raises(PermissionDenied):
        member_mute(chat=chat, actor=school["curator_a"], user=co_owner)
    row = member_mute(chat=chat, actor=school["admin"], user=co_owner)
    assert row.is_muted() and row.muted_until is None


# --- remove ------------------------------------------------------------------------------------------------------


def test_removing_a_member_added_by_hand_takes_their_access_away(client, api, school):
    chat, guest = school["chat_a"], school["guest"]
    client.force_login(guest)
    assert client.get(reverse("chats:chat", args=[chat.pk])).status_code == 200

    api.force_authenticate(school["curator_a"])
    assert api.delete(api_member(chat, guest)).status_code == 204
    row = ChatMember.objects.get(chat=chat, user=guest)
    assert row.left_at is not None and row.removed_by == school["curator_a"]

    assert client.get(reverse("chats:chat", args=[chat.pk])).status_code == 404
    api.force_authenticate(guest)
    assert api.get(f"/api/v1/chats/{chat.pk}/messages/").status_code == 404
    # The sync does not bring them back.
    chats_sync_organisation(organisation=school["org"])
    assert not ChatMember.objects.filter(chat=chat, user=guest, left_at__isnull=True).exists()


def test_removing_in_the_browser_with_confirmation(client, school):
    chat, guest = school["chat_a"], school["guest"]
    client.force_login(school["helper"])
    html = client.get(reverse("chats:members", args=[chat.pk])).content.decode()
    assert "Исключить из чата" in html and "Да, исключить" in html
    resp = client.post(reverse("chats:member_remove", args=[chat.pk, guest.pk]), follow=True)
    assert "Участник исключён из чата." in resp.content.decode()
    assert not ChatMember.objects.filter(chat=chat, user=guest, left_at__isnull=True).exists()


def test_structure_members_and_owners_are_not_removed(api, school):
    chat = school["chat_a"]
    api.force_authenticate(school["curator_a"])
    resp = api.delete(api_member(chat, school["kid_a"]))
    assert resp.status_code == 400
    assert resp.json()["error"]["message"] == (
        "Участник добавлен по структуре: исключите его из класса или измените нагрузку."
    )
    # The last owner stays, even for an administrator; a moderator cannot remove an owner.
    api.force_authenticate(school["admin"])
    resp = api.delete(api_member(chat, school["curator_a"]))
    assert resp.status_code == 400 and "единственный владелец" in resp.json()["error"]["message"]
    api.force_authenticate(school["helper"])
    assert api.delete(api_member(chat, school["curator_a"])).status_code == 403
    # Nor themselves.
    resp = api.delete(api_member(chat, school["helper"]))
    assert resp.status_code == 400
    assert (
        ChatMember.objects.filter(
            chat=chat, left_at__isnull=True, user__in=[school["kid_a"], school["curator_a"]]
        ).count()
        == 2
    )


def test_the_members_page_and_api_show_roles_and_mutes_and_buttons_only_to_moderators(client, api, school):
    chat = school["chat_a"]
    member_mute(
        chat=chat, actor=school["curator_a"], user=school["kid_a"], until=datetime(2036, 1, 5, 3, 0, tzinfo=UTC)
    )
    client.force_login(school["kid_a2"])
    html = client.get(reverse("chats:members", args=[chat.pk])).content.decode()
    assert school["curator_a"].full_name in html and "Владелец" in html and "Модератор" in html
    assert "не может писать до 05.01.2036 11:00" in html  # Irkutsk time
    assert "Запретить писать" not in html and "Исключить" not in html

    client.force_login(school["curator_a"])
    html = client.get(reverse("chats:members", args=[chat.pk])).content.decode()
    assert "Снять ограничение" in html and "Запретить писать" in html
    assert f'action="{reverse("chats:member_remove", args=[chat.pk, school["guest"].pk])}"' in html
    # Structure members and the owner themself offer no removal.
    assert reverse("chats:member_remove", args=[chat.pk, school["kid_a2"].pk]) not in html
    assert reverse("chats:member_mute", args=[chat.pk, school["curator_a"].pk]) not in html

    api.force_authenticate(school["kid_a2"])
    rows = {r["user"]["id"]: r for r in api.get(f"/api/v1/chats/{chat.pk}/members/").json()["results"]}
    assert rows[school["curator_a"].pk]["role"] == "owner" and rows[school["helper"].pk]["role"] == "moderator"
    assert rows[school["kid_a"].pk]["is_muted"] and rows[school["kid_a"].pk]["muted_until"].startswith("2036-01-05")
    assert rows[school["kid_a2"].pk]["muted_until"] is None and rows[school["kid_a2"].pk]["managed_by_structure"]
    assert school["kid_b"].pk not in rows
    api.force_authenticate(school["kid_b"])
    assert api.get(f"/api/v1/chats/{chat.pk}/members/").status_code == 404
    client.force_login(school["other_admin"])
    assert client.get(reverse("chats:members", args=[chat.pk])).status_code == 404


# --- pinned posts ------------------------------------------------------------------------------------------------


def test_pin_and_unpin(client, api, school):
    chat = school["chat_a"]
    message = post(school, author="curator_a", text="Расписание на неделю")
    api.force_authenticate(school["kid_a"])
    assert api.post(api_message(chat, message, "pin")).status_code == 403
    api.force_authenticate(school["helper"])
    resp = api.post(api_message(chat, message, "pin"))
    assert resp.status_code == 200 and resp.json()["pinned_at"]

    client.force_login(school["kid_a"])
    html = client.get(reverse("chats:chat", args=[chat.pk])).content.decode()
    assert "Закреплённые сообщения" in html and html.count("Расписание на неделю") == 2
    assert "Закрепить" not in html and "Открепить" not in html

    resp = api.post(api_message(chat, message, "unpin"))
    assert resp.status_code == 200 and resp.json()["pinned_at"] is None
    assert "Закреплённые сообщения" not in client.get(reverse("chats:chat", args=[chat.pk])).content.decode()

    # In the browser: the button, then deletion unpins; a deleted message cannot be pinned.
    client.force_login(school["curator_a"])
    resp = client.post(reverse("chats:pin", args=[chat.pk, message.pk]), follow=True)
    assert "Сообщение закреплено." in resp.content.decode() and "Открепить" in resp.content.decode()
    message_delete(message=message, actor=school["curator_a"])
    message.refresh_from_db()
    assert message.pinned_at is None
    resp = api.post(api_message(chat, message, "pin"))
    assert resp.status_code == 400 and resp.json()["error"]["message"] == "Удалённое сообщение закрепить нельзя."


def test_in_a_channel_only_its_owners_and_administrators_pin(api, school):
    general = school["general"]
    announcement = message_post(chat=general, actor=school["admin"], text="Объявление")
    # A curator is a plain member of the general channel.
    with pytest.raises(PermissionDenied, match="владельцы и администраторы"):
        message_pin(message=announcement, actor=school["curator_a"])
    api.force_authenticate(school["admin"])
    assert api.post(api_message(general, announcement, "pin")).status_code == 200


def test_pinned_block_queries_do_not_grow(client, school, django_assert_max_num_queries):
    chat = school["chat_a"]
    messages = [post(school, author="curator_a", text=f"Важно {n}") for n in range(6)]
    message_pin(message=messages[0], actor=school["curator_a"])
    client.force_login(school["kid_a"])
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("chats:chat", args=[chat.pk]))
    for m in messages[1:]:
        message_pin(message=m, actor=school["curator_a"])
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = client.get(reverse("chats:chat", args=[chat.pk])).content.decode()
    assert html.count("к сообщению") == 6


def test_the_number_of_pinned_posts_is_limited(school):
    chat = school["chat_a"]
    for n in range(10):
        message_pin(message=post(school, author="curator_a", text=f"{n}"), actor=school["curator_a"])
    with pytest.raises(RuleViolation, match="не больше 10"):
        message_pin(message=post(school, author="curator_a"), actor=school["curator_a"])
    assert Message.objects.filter(chat=chat, pinned_at__isnull=False).count() == 10


def test_moderation_decisions_are_in_the_audit_log_in_words(client, school):
    until = (timezone.now() + timedelta(days=30)).replace(second=0, microsecond=0)
    member_mute(chat=school["chat_a"], actor=school["curator_a"], user=school["kid_a"], until=until)
    message = post(school, author="kid_a2", text="Грубое слово")
    report_resolve(
        report=report(school, message, reporter="kid_a"), actor=school["admin"], action="delete_message", note="Грубо"
    )
    client.force_login(school["admin"])
    html = client.get(reverse("orgs:audit", args=[school["org"].pk])).content.decode()
    assert "Участнику чата запрещено писать" in html
    assert "Жалоба рассмотрена: сообщение удалено" in html and "Грубо" in html
    irkutsk = until.astimezone(ZoneInfo("Asia/Irkutsk"))  # the organisation's clocks
    assert f"{irkutsk:%d.%m.%Y %H:%M}" in html
    # The other organisation's administrator sees none of it.
    client.force_login(school["other_admin"])
    other = client.get(reverse("orgs:audit", args=[school["other_org"].pk])).content.decode()
    assert "Участнику чата запрещено писать" not in other
