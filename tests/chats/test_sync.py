"""Chat membership follows the structure through a scripted year of movement, with the real orgs services."""

import pytest

from chats.models import Chat, ChatMember
from chats.services.sync import chats_sync_organisation
from orgs.models import Membership
from orgs.services.membership import (
    curator_assign,
    curator_unassign,
    membership_add,
    membership_end,
    parent_link_create,
    student_place,
    teaching_assign,
)
from orgs.services.structure import group_archive, group_create, group_update
from tests.chats.helpers import chat_state
from tests.factories import AcademicYearFactory, OrganisationFactory, UserFactory, admin_of, teacher_of

pytestmark = pytest.mark.django_db

OWNER, MEMBER = "owner", "member"
Role = Membership.Role


@pytest.fixture
def live(django_capture_on_commit_callbacks):
    """Run a service as a request would: the chat sync listens after the transaction commits."""

    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


@pytest.fixture
def school():
    organisation = OrganisationFactory()
    AcademicYearFactory(organisation=organisation)
    admin = admin_of(organisation)
    director = teacher_of(organisation, position=Membership.Position.DIRECTOR)
    chats_sync_organisation(organisation=organisation)  # as the migration and the approval leave it
    return organisation, admin, director


def person(live, organisation, admin, role, **kwargs):
    user = UserFactory()
    live(membership_add, organisation=organisation, user=user, role=role, actor=admin, verified=True)
    return user


def test_scripted_year_ends_with_exactly_the_memberships_the_rules_give(school, live):
    org, admin, director = school
    new_class = dict(organisation=org, actor=admin, kind="class", grade=5)
    a5 = live(group_create, **new_class, letter="А")
    b5 = live(group_create, **new_class, letter="Б")
    t1, t2, t3, t4 = (person(live, org, admin, Role.TEACHER) for _ in range(4))
    assert not Chat.objects.filter(group__in=[a5, b5]).exists()  # no curator, no class chats yet

    # A class with a curator gets its three chats, the curator owning them.
    live(curator_assign, group=a5, teacher=t1, actor=admin)
    state = chat_state(org)
    for kind in ("class", "class_parents", "class_teachers"):
        assert state[(kind, "5А", "", "")] == {t1.pk: OWNER}

    # A teaching assignment creates its subject chat; the teacher joins the class's teachers.
    live(teaching_assign, group=a5, teacher=t3, subject="Математика", actor=admin)
    state = chat_state(org)
    assert state[("subject", "5А", "Математика", "")] == {t3.pk: OWNER}
    assert state[("class_teachers", "5А", "", "")] == {t1.pk: OWNER, t3.pk: MEMBER}

    # Students join: the class chat and its subject chats.
    s1, s2 = (person(live, org, admin, Role.STUDENT) for _ in range(2))
    for s in (s1, s2):
        live(student_place, organisation=org, student=s, group=a5, actor=admin)
    live(curator_assign, group=b5, teacher=t2, actor=admin)
    s3 = person(live, org, admin, Role.STUDENT)
    live(student_place, organisation=org, student=s3, group=b5, actor=admin)
    state = chat_state(org)
    assert state[("class", "5А", "", "")] == {t1.pk: OWNER, s1.pk: MEMBER, s2.pk: MEMBER}
    assert state[("subject", "5А", "Математика", "")] == {t3.pk: OWNER, s1.pk: MEMBER, s2.pk: MEMBER}

    # A parent of two children in two classes is in both parents' chats.
    parent = UserFactory()
    for child in (s1, s3):
        live(parent_link_create, organisation=org, parent=parent, child=child, actor=admin)
    state = chat_state(org)
    assert state[("class_parents", "5А", "", "")] == {t1.pk: OWNER, parent.pk: MEMBER}
    assert state[("class_parents", "5Б", "", "")] == {t2.pk: OWNER, parent.pk: MEMBER}

    # Someone added by hand stays while they belong to the organisation.
    b5_class = Chat.objects.get(group=b5, kind="class")
    ChatMember.objects.create(chat=b5_class, user=director, role=MEMBER)

    # A student moved 5А → 5Б leaves 5А's chats and joins 5Б's.
    live(student_place, organisation=org, student=s2, group=b5, actor=admin)
    state = chat_state(org)
    assert s2.pk not in state[("class", "5А", "", "")]
    assert s2.pk not in state[("subject", "5А", "Математика", "")]
    assert state[("class", "5Б", "", "")] == {t2.pk: OWNER, s2.pk: MEMBER, s3.pk: MEMBER, director.pk: MEMBER}
    left = ChatMember.objects.get(chat__group=a5, chat__kind="class", user=s2)
    assert left.left_at is not None  # history is kept

    # The curator replaced: the owner changes; the old curator leaves the chats they were in as curator.
    live(curator_assign, group=a5, teacher=t4, actor=admin)
    state = chat_state(org)
    for kind in ("class", "class_parents", "class_teachers"):
        assert state[(kind, "5А", "", "")].get(t4.pk) == OWNER
        assert t1.pk not in state[(kind, "5А", "", "")]

    # A teacher dismissed leaves the class's teachers and their subject chat; ownership passes to the curator.
    teacher_membership = Membership.objects.get(organisation=org, user=t3, role=Role.TEACHER, valid_to__isnull=True)
    live(membership_end, membership=teacher_membership, actor=admin, reason="увольнение")
    state = chat_state(org)
    assert state[("class_teachers", "5А", "", "")] == {t4.pk: OWNER}
    assert state[("subject", "5А", "Математика", "")] == {t4.pk: OWNER, s1.pk: MEMBER}

    # A student expelled leaves every chat; their parent leaves that class's parents' chat only.
    student_membership = Membership.objects.get(organisation=org, user=s1, role=Role.STUDENT, valid_to__isnull=True)
    live(membership_end, membership=student_membership, actor=admin, reason="отчисление")
    assert not ChatMember.objects.filter(user=s1, left_at__isnull=True).exists()

    # The emptied class archived: its chats are archived with it.
    live(group_archive, group=a5, actor=admin)

    everyone = {admin: OWNER, director: OWNER, t1: MEMBER, t2: MEMBER, t4: MEMBER}
    expected = {
        ("general_channel", None, "", ""): {u.pk: r for u, r in {**everyone, s2: MEMBER, s3: MEMBER}.items()}
        | {parent.pk: MEMBER},
        ("staff_channel", None, "", ""): {u.pk: r for u, r in everyone.items()},
        ("class", "5А", "", "archived"): {t4.pk: OWNER},
        ("class_parents", "5А", "", "archived"): {t4.pk: OWNER},
        ("class_teachers", "5А", "", "archived"): {t4.pk: OWNER},
        ("subject", "5А", "Математика", "archived"): {t4.pk: OWNER},
        ("class", "5Б", "", ""): {t2.pk: OWNER, s2.pk: MEMBER, s3.pk: MEMBER, director.pk: MEMBER},
        ("class_parents", "5Б", "", ""): {t2.pk: OWNER, parent.pk: MEMBER},
        ("class_teachers", "5Б", "", ""): {t2.pk: OWNER},
    }
    assert chat_state(org) == expected
    assert ChatMember.objects.get(chat=b5_class, user=director).managed_by_structure is False

    # Resync afterwards changes nothing.
    report = chats_sync_organisation(organisation=org)
    assert not report.changed, str(report)
    assert chat_state(org) == expected

    # A renamed class renames its chats.
    live(group_update, group=b5, actor=admin, letter="В")
    assert Chat.objects.get(group=b5, kind="class").title == "Класс 5В"
    assert Chat.objects.get(group=b5, kind="class_teachers").title == "5В — учителя"


def test_resync_rebuilds_what_the_live_actions_missed(school):
    """Structure written without the services (as an import or a crash would leave it) is repaired by resync."""
    from tests.factories import ClassFactory, curator_of, parent_of, student_in, teaches

    org, admin, director = school
    a5 = ClassFactory(organisation=org)
    curator = curator_of(a5)
    teacher = teacher_of(org)
    teaches(a5, teacher, "Физика")
    student = student_in(a5)
    parent = parent_of(student, org)
    report = chats_sync_organisation(organisation=org)
    assert report.chats_created == 4
    state = chat_state(org)
    assert state[("class", a5.name, "", "")] == {curator.pk: OWNER, student.pk: MEMBER}
    assert state[("class_parents", a5.name, "", "")] == {curator.pk: OWNER, parent.pk: MEMBER}
    assert state[("class_teachers", a5.name, "", "")] == {curator.pk: OWNER, teacher.pk: MEMBER}
    assert state[("subject", a5.name, "Физика", "")] == {teacher.pk: OWNER, student.pk: MEMBER}
    assert state[("general_channel", None, "", "")][parent.pk] == MEMBER
    assert not chats_sync_organisation(organisation=org).changed


def test_without_a_curator_ownership_passes_to_an_administrator(school, live):
    org, admin, director = school
    a5 = live(group_create, organisation=org, actor=admin, kind="class", grade=5, letter="А")
    curator = person(live, org, admin, Role.TEACHER)
    assignment = live(curator_assign, group=a5, teacher=curator, actor=admin)
    live(curator_unassign, assignment=assignment, actor=admin)
    state = chat_state(org)
    for kind in ("class", "class_parents", "class_teachers"):
        assert state[(kind, "5А", "", "")] == {admin.pk: OWNER}
    assert not chats_sync_organisation(organisation=org).changed


def test_a_hand_made_chat_whose_owner_leaves_the_organisation_keeps_an_owner(school, live):
    org, admin, director = school
    teacher = person(live, org, admin, Role.TEACHER)
    chat = Chat.objects.create(organisation=org, kind=Chat.Kind.OTHER, title="Кружок робототехники")
    ChatMember.objects.create(chat=chat, user=teacher, role=OWNER)
    ChatMember.objects.create(chat=chat, user=director, role=MEMBER)
    membership = Membership.objects.get(organisation=org, user=teacher, role=Role.TEACHER)
    live(membership_end, membership=membership, actor=admin, reason="увольнение")
    members = {m.user_id: m.role for m in chat.members.filter(left_at__isnull=True)}
    assert members == {director.pk: MEMBER, admin.pk: OWNER}
    assert not chats_sync_organisation(organisation=org).changed


def test_a_class_chat_made_by_hand_loses_the_students_and_parents_who_leave_the_class(school, live):
    from chats.services.manage import chat_create

    org, admin, director = school
    new_class = dict(organisation=org, actor=admin, kind="class", grade=7)
    a7, b7 = live(group_create, **new_class, letter="А"), live(group_create, **new_class, letter="Б")
    curator = person(live, org, admin, Role.TEACHER)
    live(curator_assign, group=a7, teacher=curator, actor=admin)
    kids = [person(live, org, admin, Role.STUDENT) for _ in range(3)]
    for kid in kids:
        live(student_place, organisation=org, student=kid, group=a7, actor=admin)
    mum = person(live, org, admin, Role.PARENT)
    live(parent_link_create, organisation=org, parent=mum, child=kids[0], actor=admin)
    colleague = person(live, org, admin, Role.TEACHER)
    live(teaching_assign, group=a7, teacher=colleague, subject="История", actor=admin)
    trip = chat_create(
        organisation=org,
        actor=curator,
        kind=Chat.Kind.OTHER,
        title="7А — поездка в музей",
        group=a7,
        member_ids=[*(k.pk for k in kids), mum.pk, colleague.pk],
    )

    live(student_place, organisation=org, student=kids[0], group=b7, actor=admin)

    members = {m.user_id: m.role for m in trip.members.filter(left_at__isnull=True)}
    # The moved child and the parent whose only child moved leave; the class, the curator and staff stay.
    assert members == {curator.pk: OWNER, kids[1].pk: MEMBER, kids[2].pk: MEMBER, colleague.pk: MEMBER}
    assert trip.members.filter(user=kids[0], left_at__isnull=False).exists()  # history kept
    assert not chats_sync_organisation(organisation=org).changed


def test_a_joiner_is_added_to_the_chats_of_their_class_without_locking_them(school, live, monkeypatch):
    """Enrolment and a parent's link only give: the joiner's rows are inserted, the class's chats are not locked or
    re-planned (the full sync, which locks them, does not run), a second run adds nothing, and the full sync then
    finds nothing to change."""
    from chats.services import sync
    from chats.services.sync import chats_sync_joined

    org, admin, director = school
    a5 = live(group_create, organisation=org, actor=admin, kind="class", grade=5, letter="А")
    curator = person(live, org, admin, Role.TEACHER)
    live(curator_assign, group=a5, teacher=curator, actor=admin)
    teacher = person(live, org, admin, Role.TEACHER)
    live(teaching_assign, group=a5, teacher=teacher, subject="Физика", actor=admin)
    first = person(live, org, admin, Role.STUDENT)
    live(student_place, organisation=org, student=first, group=a5, actor=admin)

    kid, mum = UserFactory(), UserFactory()
    full_syncs = []
    full_sync = sync._sync
    monkeypatch.setattr(sync, "_sync", lambda *a, **kw: full_syncs.append(kw) or full_sync(*a, **kw))
    live(membership_add, organisation=org, user=kid, role=Role.STUDENT, actor=admin, verified=True)
    live(student_place, organisation=org, student=kid, group=a5, actor=admin)
    live(parent_link_create, organisation=org, parent=mum, child=kid, actor=admin)
    assert full_syncs == []
    monkeypatch.undo()

    state = chat_state(org)
    assert state[("class", a5.name, "", "")] == {curator.pk: OWNER, first.pk: MEMBER, kid.pk: MEMBER}
    assert state[("class_parents", a5.name, "", "")] == {curator.pk: OWNER, mum.pk: MEMBER}
    assert state[("subject", a5.name, "Физика", "")] == {teacher.pk: OWNER, first.pk: MEMBER, kid.pk: MEMBER}
    assert state[("general_channel", None, "", "")][kid.pk] == MEMBER
    assert state[("general_channel", None, "", "")][mum.pk] == MEMBER

    rows = ChatMember.objects.count()
    chats_sync_joined(organisation=org, user_ids=[kid.pk, mum.pk], group_ids=[a5.pk])
    assert ChatMember.objects.count() == rows
    assert not chats_sync_organisation(organisation=org).changed


def test_a_transfer_is_not_a_join_the_old_class_chat_is_left(school, live):
    org, admin, director = school
    a5 = live(group_create, organisation=org, actor=admin, kind="class", grade=5, letter="А")
    b5 = live(group_create, organisation=org, actor=admin, kind="class", grade=5, letter="Б")
    for group in (a5, b5):
        live(curator_assign, group=group, teacher=person(live, org, admin, Role.TEACHER), actor=admin)
    kid = person(live, org, admin, Role.STUDENT)
    live(student_place, organisation=org, student=kid, group=a5, actor=admin)
    live(student_place, organisation=org, student=kid, group=b5, actor=admin)
    state = chat_state(org)
    assert kid.pk not in state[("class", a5.name, "", "")] and kid.pk in state[("class", b5.name, "", "")]
    assert not chats_sync_organisation(organisation=org).changed
