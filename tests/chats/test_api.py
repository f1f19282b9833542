"""The chats REST API: messages, reads, polls and the chat list, with statuses, isolation and query counts."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chats.models import Chat, ChatMember, Message
from chats.services.messages import message_post
from chats.services.sync import chats_sync_organisation
from tests.factories import ClassFactory, OrganisationFactory, UserFactory, admin_of, curator_of, student_in, teacher_of

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def school():
    org = OrganisationFactory()
    a = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    b = ClassFactory(organisation=org, grade=5, letter="Б", name="5Б")
    people = {
        "org": org,
        "class_a": a,
        "admin": admin_of(org),
        "director": teacher_of(org, position="director"),
        "curator_a": curator_of(a),
        "kid_a": student_in(a),
        "kid_a2": student_in(a),
        "kid_b": student_in(b),
    }
    curator_of(b)
    chats_sync_organisation(organisation=org)
    people["chat_a"] = Chat.objects.get(group=a, kind="class")
    people["chat_b"] = Chat.objects.get(group=b, kind="class")
    people["general"] = Chat.objects.get(organisation=org, kind="general_channel")
    return people


def as_user(api, user):
    api.force_authenticate(user)
    return api


def messages_url(chat, mid=None):
    return f"/api/v1/chats/{chat.pk}/messages/" + (f"{mid}/" if mid else "")


def test_post_list_edit_delete(api, school):
    chat = school["chat_a"]
    as_user(api, school["kid_a"])
    resp = api.post(messages_url(chat), {"text": "  Привет!  "}, format="json")
    assert resp.status_code == 201, resp.content
    first = resp.json()
    assert first["text"] == "Привет!" and first["author"]["id"] == school["kid_a"].pk and not first["is_deleted"]
    reply = api.post(messages_url(chat), {"text": "Ещё", "reply_to": first["id"]}, format="json").json()
    assert reply["reply_to"] == first["id"]

    rows = api.get(messages_url(chat)).json()["results"]
    assert [m["id"] for m in rows] == [reply["id"], first["id"]]  # newest first

    resp = api.patch(messages_url(chat, first["id"]), {"text": "Привет всем!"}, format="json")
    assert resp.status_code == 200 and resp.json()["text"] == "Привет всем!" and resp.json()["edited_at"]

    as_user(api, school["kid_a2"])
    assert api.patch(messages_url(chat, first["id"]), {"text": "Взлом"}, format="json").status_code == 403
    assert api.delete(messages_url(chat, first["id"])).status_code == 403

    as_user(api, school["kid_a"])
    resp = api.delete(messages_url(chat, first["id"]))
    assert resp.status_code == 200
    assert resp.json()["is_deleted"] and resp.json()["text"] == "" and resp.json()["deleted_at"]
    marker = api.get(messages_url(chat)).json()["results"][1]
    assert marker["id"] == first["id"] and marker["is_deleted"] and marker["text"] == ""

    resp = api.post(messages_url(chat), {"text": "   "}, format="json")
    assert resp.status_code == 400 and resp.json()["error"]["fields"]["text"]
    resp = api.post(messages_url(chat), {"text": "я" * 4001}, format="json")
    assert resp.status_code == 400 and "4000" in resp.json()["error"]["message"]


def test_cursor_pagination_walks_all_messages_newest_first(api, school):
    chat = school["chat_a"]
    ids = [message_post(chat=chat, actor=school["curator_a"], text=f"№{n}").pk for n in range(7)]
    as_user(api, school["kid_a"])
    seen, url = [], messages_url(chat) + "?page_size=3"
    while url:
        body = api.get(url).json()
        seen += [m["id"] for m in body["results"]]
        url = body["next"]
    assert seen == ids[::-1]


def test_student_of_5a_cannot_read_or_post_in_5b(api, school):
    chat_b = school["chat_b"]
    message = message_post(chat=chat_b, actor=school["kid_b"], text="Секрет 5Б")
    as_user(api, school["kid_a"])
    for resp in (
        api.get(messages_url(chat_b)),
        api.post(messages_url(chat_b), {"text": "Я из 5А"}, format="json"),
        api.patch(messages_url(chat_b, message.pk), {"text": "x"}, format="json"),
        api.delete(messages_url(chat_b, message.pk)),
        api.post(f"/api/v1/chats/{chat_b.pk}/read/", {}, format="json"),
        api.post(f"/api/v1/chats/{chat_b.pk}/polls/", {"question": "?", "options": ["a", "b"]}, format="json"),
    ):
        assert resp.status_code == 404, resp.content
        assert "Секрет" not in resp.content.decode()
    # A message of 5Б addressed through 5А's chat is not found either.
    assert api.delete(messages_url(school["chat_a"], message.pk)).status_code == 404
    assert Message.objects.get(pk=message.pk).text == "Секрет 5Б"
    assert Message.objects.filter(chat=chat_b).count() == 1


def test_chat_of_another_organisation_is_not_found_even_for_an_administrator(api, school):
    outsider = admin_of(OrganisationFactory())
    as_user(api, outsider)
    assert api.get(messages_url(school["chat_a"])).status_code == 404
    as_user(api, school["admin"])  # the administrator of the organisation reads every chat of it
    assert api.get(messages_url(school["chat_b"])).status_code == 200


def test_general_channel_director_posts_student_cannot(api, school):
    general = school["general"]
    as_user(api, school["kid_a"])
    assert api.get(messages_url(general)).status_code == 200
    resp = api.post(messages_url(general), {"text": "Всем привет"}, format="json")
    assert resp.status_code == 403 and "администраторы и руководитель" in resp.json()["error"]["message"]
    as_user(api, school["director"])
    assert api.post(messages_url(general), {"text": "Линейка в 9:00"}, format="json").status_code == 201
    assert list(Message.objects.filter(chat=general).values_list("text", flat=True)) == ["Линейка в 9:00"]


def test_xss_payloads_are_stored_and_returned_verbatim(api, school):
    as_user(api, school["curator_a"])
    resp = api.post(messages_url(school["chat_a"]), {"text": XSS}, format="json")
    assert resp.json()["text"] == XSS
    poll = api.post(
        f"/api/v1/chats/{school['chat_a'].pk}/polls/", {"question": XSS, "options": [XSS, "Нет"]}, format="json"
    ).json()
    assert poll["question"] == XSS and poll["options"][0]["text"] == XSS
    as_user(api, school["kid_a"])
    texts = [m["text"] for m in api.get(messages_url(school["chat_a"])).json()["results"]]
    assert texts == [XSS, XSS]


def _create_poll(api, school, **extra):
    resp = api.post(
        f"/api/v1/chats/{school['chat_a'].pk}/polls/",
        {"question": "Куда поедем?", "options": ["Музей", "Театр", "Парк"], **extra},
        format="json",
    )
    assert resp.status_code == 201, resp.content
    return resp.json()


def _vote(api, school, poll, *options):
    url = f"/api/v1/chats/{school['chat_a'].pk}/polls/{poll['id']}/vote/"
    return api.post(url, {"options": [poll["options"][n]["id"] for n in options]}, format="json")


def test_single_choice_poll_by_api(api, school):
    as_user(api, school["curator_a"])
    poll = _create_poll(api, school)
    assert api.get(messages_url(school["chat_a"])).json()["results"][0]["poll"]["id"] == poll["id"]
    as_user(api, school["kid_a"])
    assert _vote(api, school, poll, 0).status_code == 200
    resp = _vote(api, school, poll, 1)
    assert [o["votes"] for o in resp.json()["options"]] == [0, 1, 0] and resp.json()["options"][1]["chosen"]
    assert resp.json()["options"][1]["voters"][0]["id"] == school["kid_a"].pk
    resp = _vote(api, school, poll, 0, 2)
    assert resp.status_code == 400 and "один" in resp.json()["error"]["message"]
    as_user(api, school["kid_b"])
    assert _vote(api, school, poll, 0).status_code == 404


def test_multiple_anonymous_poll_by_api(api, school):
    as_user(api, school["curator_a"])
    poll = _create_poll(api, school, multiple=True, anonymous=True)
    as_user(api, school["kid_a"])
    _vote(api, school, poll, 0, 2)
    as_user(api, school["kid_a2"])
    body = _vote(api, school, poll, 2).json()
    assert [o["votes"] for o in body["options"]] == [1, 0, 2] and body["total_voters"] == 2
    assert all(o["voters"] is None for o in body["options"])
    assert str(school["kid_a"].pk) not in str([o for o in body["options"]])


def test_closed_poll_refuses_votes(api, school):
    as_user(api, school["curator_a"])
    poll = _create_poll(api, school, closes_at=(timezone.now() + timedelta(minutes=5)).isoformat())
    Chat.objects.get(pk=school["chat_a"].pk).messages.get().poll.__class__.objects.filter(pk=poll["id"]).update(
        closes_at=timezone.now() - timedelta(seconds=1)
    )
    as_user(api, school["kid_a"])
    resp = _vote(api, school, poll, 0)
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "poll_closed"


def _chat_list(api, org, query=""):
    return api.get(f"/api/v1/orgs/{org.pk}/chats/{query}")


def test_chat_list_with_unread_counts_and_filters(api, school):
    org, kid = school["org"], school["kid_a"]
    message_post(chat=school["chat_a"], actor=kid, text="Моё")  # one's own messages are read
    for n in range(3):
        message_post(chat=school["chat_a"], actor=school["curator_a"], text=f"Новость {n}")
    gone = message_post(chat=school["general"], actor=school["admin"], text="Удалю")
    Message.objects.filter(pk=gone.pk).update(deleted_at=timezone.now(), text="")
    as_user(api, kid)
    rows = {c["kind"]: c for c in _chat_list(api, org).json()["results"]}
    assert set(rows) == {"class", "general_channel"}  # 5Б's chat is not listed
    assert rows["class"]["unread_count"] == 3 and rows["general_channel"]["unread_count"] == 0
    assert rows["class"]["group_name"] == "5А" and rows["class"]["my_role"] == "member"
    assert rows["class"]["owners"][0]["id"] == school["curator_a"].pk

    assert api.post(f"/api/v1/chats/{school['chat_a'].pk}/read/", {}, format="json").status_code == 200
    message_post(chat=school["chat_a"], actor=school["curator_a"], text="Ещё одна")
    rows = {c["kind"]: c for c in _chat_list(api, org).json()["results"]}
    assert rows["class"]["unread_count"] == 1

    assert [c["kind"] for c in _chat_list(api, org, "?kind=class").json()["results"]] == ["class"]
    assert [c["kind"] for c in _chat_list(api, org, f"?group={school['class_a'].pk}").json()["results"]] == ["class"]
    assert _chat_list(api, org, "?kind=nonsense").status_code == 400
    assert _chat_list(api, OrganisationFactory()).status_code in (403, 404)


def _many_chats(org, user, count):
    for n in range(count):
        chat = Chat.objects.create(organisation=org, kind=Chat.Kind.OTHER, title=f"Чат {n}")
        owner = UserFactory()
        ChatMember.objects.create(chat=chat, user=owner, role="owner")
        ChatMember.objects.create(chat=chat, user=user)
        for k in range(2):
            message_post(chat=chat, actor=owner, text=f"Сообщение {k}")


def _count_queries(api, url):
    api.get(url)  # warm the per-process caches (content types) so that both measurements start alike
    with CaptureQueriesContext(connection) as queries:
        resp = api.get(url)
    assert resp.status_code == 200
    return len(queries), resp.json()["results"]


def test_chat_list_queries_do_not_grow_with_chats(api, school):
    org = school["org"]
    few, many = student_in(school["class_a"]), student_in(school["class_a"])
    _many_chats(org, few, 3)
    _many_chats(org, many, 30)
    as_user(api, few)
    q_few, rows_few = _count_queries(api, f"/api/v1/orgs/{org.pk}/chats/")
    as_user(api, many)
    q_many, rows_many = _count_queries(api, f"/api/v1/orgs/{org.pk}/chats/")
    assert len(rows_few) == 3 and len(rows_many) == 30  # structure sync has not run for them: only these chats
    assert {r["unread_count"] for r in rows_many} == {2}
    # 5: with the question every API request asks once — has the person a user agreement to accept (policies); no
    # count of a list that fits in its first page.
    assert q_few == q_many <= 5


def test_message_page_queries_do_not_grow_with_messages(api, school):
    chat_a, chat_b = school["chat_a"], school["chat_b"]
    for chat, author, count in ((chat_a, school["curator_a"], 5), (chat_b, school["kid_b"], 50)):
        first = message_post(chat=chat, actor=author, text="Начало")
        for n in range(count - 1):
            message_post(chat=chat, actor=author, text=f"№{n}", reply_to=first)
    as_user(api, school["curator_a"])
    _create_poll(api, school)
    as_user(api, school["admin"])
    q_few, rows_few = _count_queries(api, messages_url(chat_a))
    q_many, rows_many = _count_queries(api, messages_url(chat_b))
    assert len(rows_few) == 6 and len(rows_many) == 50
    assert q_few == q_many


def test_a_message_reads_as_its_declared_fields_give_it(api, school):
    """The message serializer draws each message from its columns instead of walking DRF's fields; for every kind of
    message — plain, a reply, edited, deleted, a poll, files, a system notice — the API answers what the declared
    fields give, and the API's page answers the same."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework import serializers

    from chats.api.moderation import PinnedMessageSerializer
    from chats.api.serializers import MessageSerializer
    from chats.selectors import with_files
    from chats.services.messages import message_delete, message_edit
    from chats.services.moderation import message_pin
    from tests.chats.test_attachments import png_bytes

    chat, curator, kid = school["chat_a"], school["curator_a"], school["kid_a"]
    first = message_post(chat=chat, actor=curator, text="Собрание в четверг")
    message_post(chat=chat, actor=kid, text="Буду", reply_to=first)
    message_edit(message=message_post(chat=chat, actor=kid, text="Опечатка"), actor=kid, text="Исправлено")
    message_delete(message=message_post(chat=chat, actor=kid, text="Лишнее"), actor=curator)
    message_post(chat=chat, actor=kid, text="", files=[SimpleUploadedFile("план.png", png_bytes(), "image/png")])
    as_user(api, curator)
    _create_poll(api, school)
    Message.objects.create(chat=chat, author=None, text="Напоминание: собрание завтра")

    page = list(Message.objects.filter(chat=chat).select_related("author", "poll").order_by("-id"))
    with_files(page)
    fast = MessageSerializer(page, many=True).data
    generic = [serializers.ModelSerializer.to_representation(MessageSerializer(), m) for m in page]
    assert len(fast) == 7
    assert [dict(row) for row in fast] == [dict(row) for row in generic]
    # The pinned messages' serializer adds its field to the same drawing.
    message_pin(message=first, actor=curator)
    first.refresh_from_db()
    pinned = PinnedMessageSerializer(first).data
    assert dict(pinned) == serializers.ModelSerializer.to_representation(PinnedMessageSerializer(), first)
    assert pinned["pinned_at"] and pinned["text"] == "Собрание в четверг"
    # Any serializer built on it draws exactly the fields it declares: one that declared a field and did not draw
    # it would lose it from the API's answers.
    kinds, drawn = [MessageSerializer], []
    while kinds:
        kind = kinds.pop()
        kinds.extend(kind.__subclasses__())
        drawn.append((kind.__name__, set(kind(first).data), set(kind.Meta.fields)))
    assert len(drawn) >= 2 and all(keys == fields for _name, keys, fields in drawn), drawn
    assert {bool(r["poll"]) for r in fast} == {True, False} and any(r["attachments"] for r in fast)
    assert any(r["author"] is None for r in fast) and any(r["is_deleted"] and r["text"] == "" for r in fast)
    assert any(r["edited_at"] for r in fast) and any(r["reply_to"] == first.pk for r in fast)

    # Through the API the files' addresses are absolute; the rest is the same.
    listed = api.get(messages_url(chat)).json()["results"]
    assert [{**r, "attachments": len(r["attachments"])} for r in listed] == [
        {**r, "attachments": len(r["attachments"])} for r in fast
    ]


def test_posting_costs_the_same_queries_in_a_chat_of_3_and_in_one_of_31_with_many_messages(api, school):
    org = school["org"]
    large_class = ClassFactory(organisation=org, grade=6, letter="В", name="6В")
    curator_of(large_class)
    kids = [student_in(large_class) for _ in range(30)]
    chats_sync_organisation(organisation=org)
    large = Chat.objects.get(group=large_class, kind="class")
    for n in range(60):
        message_post(chat=large, actor=kids[n % len(kids)], text=f"№{n}")
    counts = []
    for chat, author in ((school["chat_a"], school["kid_a"]), (large, kids[0])):
        as_user(api, author)
        # The author's first post of the day marks the day (presence, taking part): counted apart.
        assert api.post(messages_url(chat), {"text": "Здравствуйте"}, format="json").status_code == 201
        with CaptureQueriesContext(connection) as queries:
            resp = api.post(messages_url(chat), {"text": "Когда собрание?"}, format="json")
        assert resp.status_code == 201 and resp.json()["text"] == "Когда собрание?"
        counts.append(len(queries))
    assert ChatMember.objects.filter(chat=large, left_at__isnull=True).count() == 31
    assert counts[0] == counts[1], counts
