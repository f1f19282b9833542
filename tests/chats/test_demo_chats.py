"""The demo holds every kind of chat with the members its rules give, and loading it again adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from chats.models import Chat, ChatMember, Message, Poll
from orgs.demo_data import SCHOOL_CURATOR
from orgs.models import Membership, Organisation, ParentLink, Placement

pytestmark = pytest.mark.django_db


def members(chat) -> set[int]:
    return set(ChatMember.objects.filter(chat=chat, left_at__isnull=True).values_list("user_id", flat=True))


def roles(organisation, user_ids) -> set[str]:
    return set(
        Membership.objects.filter(organisation=organisation, user_id__in=user_ids, valid_to__isnull=True).values_list(
            "role", flat=True
        )
    )


def test_the_demo_school_has_every_kind_of_chat_with_the_right_people():
    call_command("load_demo", stdout=StringIO())
    school = Organisation.objects.get(kind="school")
    chats = Chat.objects.filter(organisation=school)
    assert set(chats.values_list("kind", flat=True)) == set(Chat.Kind.values)
    staff = Membership.objects.filter(organisation=school, valid_to__isnull=True, role__in=["teacher", "admin"])
    director = staff.get(position=Membership.Position.DIRECTOR).user_id
    deputies = set(staff.filter(position=Membership.Position.DEPUTY).values_list("user_id", flat=True))

    deputies_chat = chats.get(kind=Chat.Kind.MGMT_DEPUTIES)
    assert members(deputies_chat) == {director, *deputies} and deputies
    assert ChatMember.objects.get(chat=deputies_chat, user_id=director, left_at__isnull=True).role == "owner"
    teachers_chat = members(chats.get(kind=Chat.Kind.MGMT_TEACHERS))
    assert roles(school, teachers_chat - {director}) <= {"teacher", "admin"} and len(teachers_chat) > 5
    committee = members(chats.get(kind=Chat.Kind.MGMT_PARENTS_COMMITTEE)) - {director}
    assert committee and committee <= set(
        ParentLink.objects.filter(organisation=school).values_list("parent_id", flat=True)
    )
    council = members(chats.get(kind=Chat.Kind.MGMT_STUDENT_COUNCIL)) - {director}
    placed = Placement.objects.filter(organisation=school, valid_to__isnull=True)
    assert len(council) >= 2 and council <= set(placed.values_list("student_id", flat=True))
    # The demo curator's own chat: their class's children and parents, no one from another class.
    other = chats.get(kind=Chat.Kind.OTHER)
    assert other.group.name == "5А" and other.created_by.phone == SCHOOL_CURATOR.phone
    people = members(other) - {other.created_by_id}
    kids = set(placed.filter(group=other.group).values_list("student_id", flat=True))
    parents = set(ParentLink.objects.filter(child_id__in=kids).values_list("parent_id", flat=True))
    assert people & kids and people <= kids | parents
    # The administrator's additional channel: everyone of the school reads it, its owners are the leaders.
    extra = chats.get(kind=Chat.Kind.EXTRA_CHANNEL)
    everyone = set(
        Membership.objects.filter(organisation=school, valid_to__isnull=True).values_list("user_id", flat=True)
    )
    assert members(extra) == everyone
    assert director in set(
        ChatMember.objects.filter(chat=extra, role="owner", left_at__isnull=True).values_list("user_id", flat=True)
    )
    assert Message.objects.filter(chat__kind=Chat.Kind.GENERAL_CHANNEL, chat__organisation=school).exists()
    assert Poll.objects.filter(message__chat__organisation=school).exists()

    before = (Chat.objects.count(), ChatMember.objects.count(), Message.objects.count())
    call_command("load_demo", stdout=StringIO())
    assert (Chat.objects.count(), ChatMember.objects.count(), Message.objects.count()) == before
