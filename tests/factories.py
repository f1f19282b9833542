"""factory_boy factories. Build people and structure through these, never through shared named users."""

import datetime

import factory
from django.utils import timezone

from orgs.models import (
    AcademicYear,
    CuratorAssignment,
    Group,
    Membership,
    Organisation,
    ParentLink,
    Placement,
    TeachingAssignment,
)
from orgs.permissions import permissions_sync_user
from orgs.vocabulary import staff_group_name
from portal.accounts.models import User

_phone_seq = iter(range(10_000_000))


def next_phone() -> str:
    return f"+7999{next(_phone_seq):07d}"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    last_name = factory.Faker("last_name", locale="ru_RU")
    first_name = factory.Faker("first_name", locale="ru_RU")
    patronymic = factory.Faker("middle_name", locale="ru_RU")
    phone = factory.LazyFunction(next_phone)
    email = factory.Sequence(lambda n: f"user{n}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "pass-Word-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    kind = "school"
    full_name = factory.Sequence(lambda n: f"Муниципальное бюджетное общеобразовательное учреждение «Школа № {n}»")
    short_name = factory.Sequence(lambda n: f"Школа № {n}")
    address = "г. Гусиноозёрск, ул. Пушкина, д. 1"
    region = "Республика Бурятия"
    municipality = "Селенгинский район"
    time_zone = "Asia/Irkutsk"

    @factory.post_generation
    def staff_group(obj, create, extracted, **kwargs):
        if create:
            Group.objects.create(organisation=obj, kind=Group.Kind.STAFF, name=staff_group_name(obj.kind))


class AcademicYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AcademicYear

    organisation = factory.SubFactory(OrganisationFactory)
    name = "2026/2027"
    starts_on = datetime.date(2026, 9, 1)
    ends_on = datetime.date(2027, 5, 31)
    is_current = True


class ClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    organisation = factory.SubFactory(OrganisationFactory)
    kind = Group.Kind.CLASS
    academic_year = factory.LazyAttribute(
        lambda o: (
            AcademicYear.objects.filter(organisation=o.organisation, is_current=True).first()
            or AcademicYearFactory(organisation=o.organisation)
        )
    )
    grade = 5
    letter = factory.Sequence(lambda n: "АБВГДЕЖЗИКЛМНОПРСТУФХЦЧШЭЮЯ"[n % 27] + ("" if n < 27 else str(n)))
    name = factory.LazyAttribute(lambda o: f"{o.grade}{o.letter}")


def member(organisation, role, user=None, *, position="", verified=True) -> Membership:
    """A person in a role with their guardian permissions synced, as the services would leave them."""
    user = user or UserFactory()
    verification = Membership.Verification.NOT_REQUIRED
    if role == Membership.Role.TEACHER:
        verification = Membership.Verification.VERIFIED if verified else Membership.Verification.PENDING
        position = position or Membership.Position.TEACHER
    membership = Membership.objects.create(
        organisation=organisation, user=user, role=role, position=position, verification=verification
    )
    permissions_sync_user(organisation=organisation, user=user)
    return membership


def admin_of(organisation) -> User:
    return member(organisation, Membership.Role.ADMIN).user


def teacher_of(organisation, *, verified=True, position="") -> User:
    return member(organisation, Membership.Role.TEACHER, verified=verified, position=position).user


def student_in(group, user=None) -> User:
    m = member(group.organisation, Membership.Role.STUDENT, user)
    Placement.objects.create(organisation=group.organisation, student=m.user, group=group)
    return m.user


def parent_of(child, organisation, user=None) -> User:
    m = (
        Membership.objects.filter(organisation=organisation, user=user, role="parent", valid_to__isnull=True).first()
        if user
        else None
    )
    if m is None:
        m = member(organisation, Membership.Role.PARENT, user)
    ParentLink.objects.create(organisation=organisation, parent=m.user, child=child)
    return m.user


def curator_of(group, teacher=None) -> User:
    teacher = teacher or teacher_of(group.organisation)
    CuratorAssignment.objects.create(
        organisation=group.organisation, group=group, teacher=teacher, valid_from=timezone.now()
    )
    permissions_sync_user(organisation=group.organisation, user=teacher)
    return teacher


def teaches(group, teacher, subject="Математика") -> TeachingAssignment:
    a = TeachingAssignment.objects.create(
        organisation=group.organisation, group=group, teacher=teacher, subject=subject
    )
    permissions_sync_user(organisation=group.organisation, user=teacher)
    return a
