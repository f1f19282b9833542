"""The API's chat list answers exactly what ChatSerializer gave for the chats the user may list as the ORM read them
(listed_by_the_orm): the same chats, fields, owners, order, count and page links, for a student, a parent, a
curator and an administrator, with archived chats, a muted member and unread messages, filtered and paged."""

import pytest
from django.db import connection
from django.db.models import OuterRef, Subquery
from django.test.utils import CaptureQueriesContext
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from chats import selectors
from chats.api.serializers import ChatSerializer
from chats.models import Chat, ChatMember
from chats.services.manage import chat_archive
from chats.services.messages import message_post
from chats.services.moderation import member_mute
from chats.services.sync import chats_sync_organisation
from orgs.models import Organisation
from orgs.permissions import is_admin
from portal.accounts.models import User
from tests.factories import ClassFactory, OrganisationFactory, admin_of, curator_of, parent_of, student_in, teacher_of

pytestmark = pytest.mark.django_db

QUERIES = [
    "",
    "?mine=true",
    "?mine=false",
    "?archived=true",
    "?archived=false",
    "?kind=other",
    "?search=кружок",
    "?search=Кружок 1",
    "?search=Кружок,0",
    "?search=%25",
    "?kind=class&archived=false",
    "?page_size=2",
    "?page_size=2&page=2",
    "?page_size=2&page=last",
    "?page_size=3&page=1",
]


@pytest.fixture
def world():
    org = OrganisationFactory()
    cls, other_cls = ClassFactory(organisation=org, name="7В"), ClassFactory(organisation=org, name="8Г")
    admin, curator = admin_of(org), curator_of(cls)
    kid, kid2 = student_in(cls), student_in(cls)
    student_in(other_cls)
    curator_of(other_cls)
    parent = parent_of(kid, org)
    chats_sync_organisation(organisation=org)
    class_chat = Chat.objects.get(group=cls, kind=Chat.Kind.CLASS)
    teacher = teacher_of(org)
    teacher.patronymic = ""  # a person without a patronymic among the owners
    teacher.save(update_fields=["patronymic"])
    clubs = []
    for n, owner in enumerate((curator, teacher, teacher)):
        chat = Chat.objects.create(organisation=org, kind=Chat.Kind.OTHER, title=f"Кружок {n}", created_by=owner)
        ChatMember.objects.create(chat=chat, user=owner, role=ChatMember.Role.OWNER)
        for person in (kid, kid2, parent):
            ChatMember.objects.create(chat=chat, user=person)
        message_post(chat=chat, actor=owner, text="Здравствуйте")
        clubs.append(chat)
    ChatMember.objects.create(chat=clubs[1], user=curator, role=ChatMember.Role.OWNER)  # two owners
    ChatMember.objects.filter(chat=clubs[2], user=kid2).update(left_at=clubs[2].created_at)  # left
    chat_archive(chat=clubs[0], actor=curator)
    member_mute(chat=class_chat, actor=curator, user=kid2)
    for n in range(3):
        message_post(chat=class_chat, actor=curator, text=f"Объявление {n}")
    message_post(chat=class_chat, actor=kid, text="Прочитал")
    message_post(chat=class_chat, actor=curator, text="Ещё одно")
    return {
        "org": org,
        "class": cls,
        "student": kid,
        "muted student": kid2,
        "parent": parent,
        "curator": curator,
        "admin": admin,
    }


def listed_by_the_orm(user, org: Organisation):
    """Who saw which chat in the ORM's version of the list: the chats of the organisation the user is an active
    member of; every chat of it for its administrators (my_role null where they are not members)."""
    mine = ChatMember.objects.filter(chat=OuterRef("pk"), user=user, left_at__isnull=True)
    chats = selectors.chats_for_admin(org).annotate(my_role=Subquery(mine.values("role")[:1]))
    if not is_admin(user, org.pk):
        chats = chats.filter(pk__in=ChatMember.objects.filter(user=user, left_at__isnull=True).values("chat_id"))
    return selectors.with_unread_counts(chats, user)


def expected(api, org: Organisation, user: User, query: str) -> dict:
    """What the list gave with ChatSerializer over the filtered queryset and DRF's page-number pagination."""
    from chats.api.manage import ChatManageViewSet
    from portal.api.pagination import PageNumberPagination

    request = Request(APIRequestFactory().get(f"/api/v1/orgs/{org.pk}/chats/{query}"))
    request.user = user
    view = ChatManageViewSet(request=request, format_kwarg=None, action="list", organisation=org, kwargs={})
    qs = view.filter_queryset(listed_by_the_orm(user, org))
    pagination = PageNumberPagination()
    page = pagination.paginate_queryset(qs, request, view)
    response = pagination.get_paginated_response(ChatSerializer(page, many=True).data)
    return response.data


@pytest.mark.parametrize("viewer", ["student", "muted student", "parent", "curator", "admin"])
def test_the_list_is_what_the_chat_serializer_gives(api, world, viewer):
    user, org = world[viewer], world["org"]
    api.force_authenticate(user)
    for query in [*QUERIES, f"?group={world['class'].pk}", f"?group={world['class'].pk}&mine=true"]:
        response = api.get(f"/api/v1/orgs/{org.pk}/chats/{query}")
        assert response.status_code == 200, (query, response.content)
        want = expected(api, org, user, query)
        assert response.json() == {**want, "results": [dict(row) for row in want["results"]]}, query
        for row in response.json()["results"]:
            assert list(row) == ChatSerializer.Meta.fields, query  # the keys in the serializer's order
    assert api.get(f"/api/v1/orgs/{org.pk}/chats/?page=9").status_code == 404


def test_the_list_shows_unread_counts_archived_chats_and_owners(api, world):
    api.force_authenticate(world["student"])
    rows = {row["title"]: row for row in api.get(f"/api/v1/orgs/{world['org'].pk}/chats/").json()["results"]}
    assert rows["Кружок 0"]["is_archived"] and rows["Кружок 0"]["unread_count"] == 1
    assert [p["full_name"].count(" ") for p in rows["Кружок 1"]["owners"]] == [1, 2]  # no patronymic, then one
    assert [r["unread_count"] for r in rows.values() if r["kind"] == Chat.Kind.CLASS] == [1]


def test_a_list_that_fits_in_a_page_is_not_counted_apart(api, world):
    api.force_authenticate(world["student"])
    url = f"/api/v1/orgs/{world['org'].pk}/chats/"
    api.get(url)
    with CaptureQueriesContext(connection) as short:
        assert api.get(url).json()["count"] == 5
    with CaptureQueriesContext(connection) as paged:
        assert api.get(url + "?page_size=2").json()["count"] == 5
    assert not any(q["sql"].startswith("SELECT COUNT(*)") for q in short.captured_queries)
    assert len(paged) == len(short) + 1  # a longer list is counted
