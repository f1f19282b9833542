import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chats.models import Chat, ChatMember
from chats.selectors import ChatList, chat_members, with_owners
from tests.factories import OrganisationFactory, UserFactory, admin_of

pytestmark = pytest.mark.django_db


def _chats(organisation, user, count):
    for n in range(count):
        chat = Chat.objects.create(organisation=organisation, kind=Chat.Kind.OTHER, title=f"Чат {n}")
        owner = UserFactory()
        ChatMember.objects.create(chat=chat, user=owner, role="owner")
        ChatMember.objects.create(chat=chat, user=user)
        ChatMember.objects.create(chat=chat, user=UserFactory(), left_at="2026-01-01T00:00Z")  # left: not counted


def _read(user, organisation):
    with CaptureQueriesContext(connection) as queries:
        rows = [
            (c["title"], c["member_count"], c["my_role"], [o["last_name"] for o in c["owners"]])
            for c in with_owners(list(ChatList(user, organisation)))
        ]
    return rows, len(queries)


def test_the_chat_list_lists_own_chats_with_counts_in_a_constant_number_of_queries():
    organisation, other = OrganisationFactory(), OrganisationFactory()
    few, many = UserFactory(), UserFactory()
    _chats(organisation, few, 3)
    _chats(organisation, many, 30)
    _chats(other, many, 2)  # another organisation's chats never show
    Chat.objects.create(organisation=organisation, kind=Chat.Kind.OTHER, title="Чужой чат")
    rows_few, queries_few = _read(few, organisation)
    rows_many, queries_many = _read(many, organisation)
    assert len(rows_few) == 3 and len(rows_many) == 30
    assert {(count, role) for _, count, role, _ in rows_many} == {(2, "member")}
    assert all(len(owners) == 1 for *_, owners in rows_many)
    assert queries_few == queries_many == 2


def test_chat_members_lists_owners_first():
    organisation = OrganisationFactory()
    admin = admin_of(organisation)
    chat = Chat.objects.create(organisation=organisation, kind=Chat.Kind.OTHER, title="Чат")
    member = UserFactory()
    ChatMember.objects.create(chat=chat, user=member)
    ChatMember.objects.create(chat=chat, user=admin, role="owner")
    assert [m.user_id for m in chat_members(chat)] == [admin.pk, member.pk]
