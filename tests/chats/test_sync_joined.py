"""A joiner's chat sync (`chats_sync_joined`, its statements written out, run after the joining commits) gives
exactly the rows the full sync would: for a student, a parent, a teacher, a director, in a class with a curator and
in one without; after it the full sync of the organisation finds nothing to change, and a second run adds nothing."""

import pytest

from chats.models import Chat, ChatMember
from chats.services import sync
from chats.services.sync import chats_sync_organisation
from orgs.models import Membership
from tests import factories as f

pytestmark = pytest.mark.django_db


def sync_joined(org, user_ids, group_ids) -> str:
    return str(sync.chats_sync_joined(organisation=org, user_ids=user_ids, group_ids=group_ids))


OWNER, MEMBER = "owner", "member"
CLASS, PARENTS, SUBJECT = Chat.Kind.CLASS, Chat.Kind.CLASS_PARENTS, Chat.Kind.SUBJECT
GENERAL, STAFF, EXTRA = Chat.Kind.GENERAL_CHANNEL, Chat.Kind.STAFF_CHANNEL, Chat.Kind.EXTRA_CHANNEL


@pytest.fixture
def school():
    """5А with a curator, a physics teacher, a child with a parent and one without; 5Б with no curator (no class
    chats) but a physics chat and a child; an extra channel, an archived one, and a chat made by hand for 5А."""
    org = f.OrganisationFactory()
    admin = f.admin_of(org)
    f.teacher_of(org, position=Membership.Position.DIRECTOR)
    a5, b5 = f.ClassFactory(organisation=org, name="5А"), f.ClassFactory(organisation=org, name="5Б")
    f.curator_of(a5)
    physics = f.teacher_of(org)
    f.teaches(a5, physics, "Физика")
    f.teaches(b5, physics, "Физика")
    with_parent, without_parent, in_b5 = f.student_in(a5), f.student_in(a5), f.student_in(b5)
    f.parent_of(with_parent, org)
    Chat.objects.create(organisation=org, kind=EXTRA, title="Объявления столовой", created_by=admin)
    Chat.objects.create(organisation=org, kind=EXTRA, title="Старый канал", is_archived=True, created_by=admin)
    Chat.objects.create(organisation=org, kind=Chat.Kind.OTHER, title="5А — экскурсия", group=a5, created_by=admin)
    assert chats_sync_organisation(organisation=org).chats_created
    children = {"with_parent": with_parent, "without_parent": without_parent, "in_b5": in_b5}
    return org, {"5А": a5, "5Б": b5}, children


def _rows(org) -> dict:
    """{(kind, class, subject, title, user id): (role, managed_by_structure)} of the active rows."""
    rows = ChatMember.objects.filter(chat__organisation=org, left_at__isnull=True).values_list(
        "chat__kind", "chat__group__name", "chat__subject", "chat__title", "user_id", "role", "managed_by_structure"
    )
    return {row[:5]: row[5:] for row in rows}


def _of(rows: dict, user) -> set:
    return {(kind, group, subject, role) for (kind, group, subject, _t, u), (role, _m) in rows.items() if u == user.pk}


def _joiners(name, org, classes, children):
    """Make the joiners of a case as a redemption or an enrolment leaves them: (user ids, class ids, {person: the
    chats they are in after the sync, with their role})."""
    a5, b5 = classes["5А"], classes["5Б"]
    channels = {(GENERAL, None, "", MEMBER), (EXTRA, None, "", MEMBER)}
    if name == "student":
        kid = f.student_in(a5)
        return [kid], [a5], {kid: {(CLASS, "5А", "", MEMBER), (SUBJECT, "5А", "Физика", MEMBER), *channels}}
    if name == "parent":
        mum = f.parent_of(children["without_parent"], org)
        return [mum], [], {mum: {(PARENTS, "5А", "", MEMBER), *channels}}
    if name == "second_parent":
        dad = f.parent_of(children["with_parent"], org)
        return [dad], [], {dad: {(PARENTS, "5А", "", MEMBER), *channels}}
    if name == "student_and_parent":
        kid = f.student_in(a5)
        mum = f.parent_of(kid, org)
        expected = {
            kid: {(CLASS, "5А", "", MEMBER), (SUBJECT, "5А", "Физика", MEMBER), *channels},
            mum: {(PARENTS, "5А", "", MEMBER), *channels},
        }
        return [kid, mum], [a5], expected
    if name == "teacher":
        teacher = f.teacher_of(org)
        return [teacher], [], {teacher: {(STAFF, None, "", MEMBER), *channels}}
    if name == "director":
        director = f.teacher_of(org, position=Membership.Position.DIRECTOR)
        owned = {(kind, None, "", OWNER) for kind in (GENERAL, STAFF, EXTRA)}
        return [director], [], {director: owned}
    if name == "student_of_a_class_without_a_curator":
        kid = f.student_in(b5)
        return [kid], [b5], {kid: {(SUBJECT, "5Б", "Физика", MEMBER), *channels}}
    if name == "parent_of_a_child_of_a_class_without_a_curator":
        mum = f.parent_of(children["in_b5"], org)
        return [mum], [], {mum: channels}
    if name == "parent_of_children_in_both_classes":
        mum = f.parent_of(children["without_parent"], org)
        f.parent_of(children["in_b5"], org, user=mum)
        return [mum], [], {mum: {(PARENTS, "5А", "", MEMBER), *channels}}
    raise AssertionError(name)


CASES = [
    "student",
    "parent",
    "second_parent",
    "student_and_parent",
    "teacher",
    "director",
    "student_of_a_class_without_a_curator",
    "parent_of_a_child_of_a_class_without_a_curator",
    "parent_of_children_in_both_classes",
]


@pytest.mark.parametrize("case", CASES)
def test_the_joiners_sync_gives_exactly_the_rows_of_the_full_sync(school, case, monkeypatch):
    org, classes, children = school
    before = _rows(org)
    users, groups, expected = _joiners(case, org, classes, children)
    user_ids, group_ids = [u.pk for u in users], [g.pk for g in classes.values() if g in groups]

    # The joiners' rows are added by themselves: the full sync, which locks and re-plans the chats, does not run.
    monkeypatch.setattr(sync, "_sync", lambda *a, **kw: pytest.fail("the full sync ran"))
    assert f"добавлено: {sum(map(len, expected.values()))}," in sync_joined(org, user_ids, group_ids)
    monkeypatch.undo()

    after = _rows(org)
    for person, chats in expected.items():
        assert _of(after, person) == chats
    added = {key: value for key, value in after.items() if key not in before}
    assert {key[4] for key in added} == set(user_ids)  # nobody else's rows come or go …
    assert {key: value for key, value in after.items() if key in before} == before
    assert all(managed for _role, managed in added.values())  # … and the structure put them there

    assert "добавлено: 0," in sync_joined(org, user_ids, group_ids)  # a second run adds nothing
    assert not chats_sync_organisation(organisation=org).changed  # the full sync would have given the same rows
    assert _rows(org) == after


def test_a_class_whose_chats_are_missing_falls_to_the_full_sync(school):
    """A curator assigned without the sync (an import): the joiner's sync cannot only add rows, the full sync of its
    scope makes the class's chats and puts everyone in them."""
    org, classes, _children = school
    curator = f.teacher_of(org)
    chats_sync_organisation(organisation=org)  # a teacher of the school, in its channels
    c5 = f.ClassFactory(organisation=org, name="5В")
    f.curator_of(c5, curator)
    kid = f.student_in(c5)
    assert "чатов создано: 3" in sync_joined(org, [kid.pk], [c5.pk])
    rows = _rows(org)
    assert _of(rows, kid) == {(CLASS, "5В", "", MEMBER), (GENERAL, None, "", MEMBER), (EXTRA, None, "", MEMBER)}
    assert (CLASS, "5В", "", OWNER) in _of(rows, curator)
    assert not chats_sync_organisation(organisation=org).changed


def test_a_member_added_by_hand_falls_to_the_full_sync(school):
    """A joiner already in their class's chat by hand: the full sync marks the row as the structure's."""
    org, classes, _children = school
    kid = f.student_in(classes["5А"])
    chat = Chat.objects.get(group=classes["5А"], kind=CLASS)
    ChatMember.objects.create(chat=chat, user=kid, role=MEMBER, managed_by_structure=False)
    assert "изменено: 1" in sync_joined(org, [kid.pk], [classes["5А"].pk])
    assert ChatMember.objects.get(chat=chat, user=kid, left_at__isnull=True).managed_by_structure
    assert not chats_sync_organisation(organisation=org).changed
