from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from guardian.models import UserObjectPermission
from guardian.shortcuts import get_objects_for_user

from orgs.demo_data import COLLEGE_ADMIN, DEMO_ACCOUNTS, DEMO_PASSWORD, OPERATOR, SCHOOL_ADMIN
from orgs.models import (
    AcademicYear,
    AuditEntry,
    CuratorAssignment,
    Group,
    Membership,
    Organisation,
    ParentLink,
    Placement,
    RegistrationApplication,
    TeachingAssignment,
)
from orgs.selectors import verification_queue
from portal.accounts.models import User

pytestmark = pytest.mark.django_db
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

COUNTED = [
    User,
    Organisation,
    RegistrationApplication,
    AcademicYear,
    Group,
    Membership,
    Placement,
    CuratorAssignment,
    TeachingAssignment,
    ParentLink,
    UserObjectPermission,
    AuditEntry,
]


def load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def user(phone) -> User:
    return User.objects.get(phone=phone)


@pytest.fixture(autouse=True)
def _fast_hasher(settings):
    # Argon2 takes most of a run; the check below is that the password works, not how it is hashed.
    settings.PASSWORD_HASHERS = FAST_HASHERS


def test_second_run_adds_nothing_and_sends_nothing(django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        first_output = load()
    after_first = counts()
    assert after_first["Organisation"] == 2
    assert after_first["Membership"] > 80
    assert {m.to[0] for m in mailoutbox if "одобрена" in m.subject} == {SCHOOL_ADMIN.email, COLLEGE_ADMIN.email}
    sent = len(mailoutbox)

    with django_capture_on_commit_callbacks(execute=True):
        second_output = load()

    assert counts() == after_first
    assert len(mailoutbox) == sent
    assert "Новых учётных записей: 0." in second_output
    assert "Новых учётных записей: 0." not in first_output
    for account in DEMO_ACCOUNTS:
        assert account.phone in second_output and account.email in second_output
    assert DEMO_PASSWORD in second_output


def test_organisations_are_registered_by_the_operator_with_an_order():
    load()
    operator = user(OPERATOR.phone)
    assert operator.is_superuser
    school, college = Organisation.objects.get(kind="school"), Organisation.objects.get(kind="college")
    for organisation, admin in ((school, SCHOOL_ADMIN), (college, COLLEGE_ADMIN)):
        application = organisation.application
        assert application.status == RegistrationApplication.Status.APPROVED
        assert application.decided_by == operator
        assert application.admin_phone == admin.phone
        with application.order_file.open("rb") as order:
            assert order.read(5) == b"%PDF-"
        assert organisation.time_zone == "Asia/Irkutsk"
        assert organisation.region == "Республика Бурятия"
        assert organisation.municipality == "Селенгинский район"


@pytest.fixture(scope="class")
def _demo_loaded(django_db_setup, django_db_blocker, tmp_path_factory):
    """Load once per class inside a transaction that is rolled back when the class is done."""
    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=FAST_HASHERS):
        with transaction.atomic():
            load()
            yield
            transaction.set_rollback(True)


@pytest.mark.xdist_group("demo_data")  # under pytest-xdist the class runs in one worker: one load
class TestDemoData:
    """Checks that read the same demo organisations, loaded once for the class."""

    @pytest.fixture
    def demo(self, _demo_loaded):
        return {
            "school": Organisation.objects.get(kind="school"),
            "college": Organisation.objects.get(kind="college"),
        }

    def test_both_vocabularies_name_the_staff_groups(self, demo):
        assert demo["school"].groups.get(kind=Group.Kind.STAFF).name == "Учительская"
        assert demo["college"].groups.get(kind=Group.Kind.STAFF).name == "Сотрудники"

    def test_structure_of_the_school_and_the_college(self, demo):
        school, college = demo["school"], demo["college"]
        year = AcademicYear.objects.get(organisation=school, is_current=True)
        assert (year.name, str(year.starts_on), str(year.ends_on)) == ("2026/2027", "2026-09-01", "2027-05-31")
        classes = {g.name: g for g in school.groups.filter(kind=Group.Kind.CLASS).select_related("parent")}
        assert {"1А", "5А", "5Б", "7Б", "9А", "11А"} <= classes.keys()
        assert classes["1А"].parent.name == "Начальная школа"
        assert classes["11А"].parent.name == "Средняя школа"
        assert school.groups.filter(kind=Group.Kind.CLUB).count() == 2
        for group in classes.values():
            assert CuratorAssignment.objects.filter(group=group, valid_to__isnull=True).exists(), group.name
            assert 5 <= Placement.objects.filter(group=group, valid_to__isnull=True).count() <= 8, group.name
        college_groups = set(college.groups.filter(kind=Group.Kind.CLASS).values_list("name", flat=True))
        assert {"ЭС-21", "ЭС-22", "ТМ-23"} <= college_groups
        curator = CuratorAssignment.objects.get(group__organisation=college, group__name="ЭС-21", valid_to__isnull=True)
        assert curator.teacher.phone == "+79000000014"

    @pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=lambda a: a.phone)
    def test_each_demo_account_signs_in_with_the_demo_password(self, demo, account):
        assert authenticate(username=account.phone, password=DEMO_PASSWORD) == user(account.phone)
        assert authenticate(username=account.email, password=DEMO_PASSWORD) == user(account.phone)
        assert authenticate(username=account.phone, password="не тот пароль") is None

    def test_other_people_have_no_password(self, demo):
        teacher = User.objects.get(last_name="Фёдоров", first_name="Алексей")
        assert not teacher.has_usable_password()

    def test_the_demo_parent_has_two_children_in_different_classes(self, demo):
        parent = user("+79000000008")
        children = ParentLink.objects.filter(parent=parent, valid_to__isnull=True).values_list("child", flat=True)
        groups = Placement.objects.filter(student__in=children, valid_to__isnull=True).values_list(
            "group__name", flat=True
        )
        assert sorted(groups) == ["5А", "7Б"]
        assert user("+79000000007").pk in set(children)

    def test_the_school_verification_queue_is_not_empty(self, demo):
        queue = verification_queue(demo["school"])
        assert queue.count() >= 2
        assert all(not m.is_verified_teacher for m in queue)

    def test_the_director_is_a_verified_teacher_with_the_leaders_rights(self, demo):
        director = user("+79000000003")
        membership = Membership.objects.get(organisation=demo["school"], user=director, valid_to__isnull=True)
        assert (membership.role, membership.position) == (Membership.Role.TEACHER, Membership.Position.DIRECTOR)
        assert membership.is_verified_teacher
        assert director.has_perm("orgs.view_statistics", demo["school"])
        assert not director.has_perm("orgs.manage_org", demo["school"])

    def test_the_school_admin_manages_the_school_and_not_the_college(self, demo):
        admin = user(SCHOOL_ADMIN.phone)
        assert admin.has_perm("orgs.manage_org", demo["school"])
        assert not admin.has_perm("orgs.manage_org", demo["college"])
        college_admin = user(COLLEGE_ADMIN.phone)
        assert college_admin.has_perm("orgs.manage_org", demo["college"])
        assert not college_admin.has_perm("orgs.manage_org", demo["school"])

    def test_the_curator_invites_to_5a_only(self, demo):
        curator = user("+79000000004")
        groups = get_objects_for_user(curator, "orgs.invite_to_group", klass=Group, accept_global_perms=False)
        assert [(g.organisation_id, g.name) for g in groups] == [(demo["school"].pk, "5А")]

    def test_the_demo_teacher_teaches_mathematics_in_5a_and_7b(self, demo):
        teacher = user("+79000000005")
        taught = TeachingAssignment.objects.filter(teacher=teacher, valid_to__isnull=True)
        assert sorted(taught.values_list("subject", "group__name")) == [("Математика", "5А"), ("Математика", "7Б")]
        groups = get_objects_for_user(teacher, "orgs.invite_to_group", klass=Group, accept_global_perms=False)
        assert sorted(g.name for g in groups) == ["5А", "7Б"]
