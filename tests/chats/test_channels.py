"""System channels: at registration approval, and by the data migration for organisations that predate chats."""

import importlib

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from chats.models import Chat
from chats.services.sync import chats_sync_organisation
from orgs.models import Membership
from orgs.services.registration import application_approve
from tests.chats.helpers import chat_state
from tests.factories import OrganisationFactory, UserFactory, admin_of, member, teacher_of
from tests.orgs.test_registration import submit

pytestmark = pytest.mark.django_db

migration = importlib.import_module("chats.migrations.0002_system_channels")


def test_approval_creates_system_channels_with_the_administrator_owning_them():
    operator = UserFactory(is_superuser=True, is_staff=True)
    organisation = application_approve(application=submit(), actor=operator)
    admin = Membership.objects.get(organisation=organisation, role="admin").user
    channels = {c.kind: c.title for c in Chat.objects.filter(organisation=organisation)}
    assert channels == {"general_channel": "Общешкольный канал", "staff_channel": "Учительская"}
    state = chat_state(organisation)
    assert state[("general_channel", None, "", "")] == {admin.pk: "owner"}
    assert state[("staff_channel", None, "", "")] == {admin.pk: "owner"}


def test_titles_are_russian_whatever_language_the_operator_reads(settings):
    from django.utils import translation

    operator = UserFactory(is_superuser=True, is_staff=True)
    with translation.override("en"):
        organisation = application_approve(application=submit(kind="college"), actor=operator)
    titles = set(Chat.objects.filter(organisation=organisation).values_list("title", flat=True))
    assert titles == {"Общий канал", "Сотрудники"}


@pytest.mark.parametrize("kind", ["school", "college"])
def test_migration_gives_existing_organisations_their_channels_and_members(kind):
    organisation = OrganisationFactory(kind=kind)
    admin = admin_of(organisation)
    director = teacher_of(organisation, position=Membership.Position.DIRECTOR)
    teacher = teacher_of(organisation, verified=False)
    rejected = member(organisation, "teacher").user
    Membership.objects.filter(user=rejected).update(verification="rejected")
    student = member(organisation, "student").user
    other = OrganisationFactory()
    assert not Chat.objects.filter(organisation=organisation).exists()

    migration.create_system_channels(apps, None)
    migration.create_system_channels(apps, None)  # twice: nothing doubles

    from chats.titles import system_channel_title

    for chat in Chat.objects.filter(organisation=organisation):
        assert chat.title == system_channel_title(organisation, chat.kind)
    state = chat_state(organisation)
    leaders = {admin.pk: "owner", director.pk: "owner"}
    assert state[("staff_channel", None, "", "")] == {**leaders, teacher.pk: "member"}
    assert state[("general_channel", None, "", "")] == {
        **leaders,
        teacher.pk: "member",
        rejected.pk: "member",
        student.pk: "member",
    }
    assert Chat.objects.filter(organisation=other).count() == 2
    # The migration and the sync agree: resync afterwards changes nothing.
    assert not chats_sync_organisation(organisation=organisation).changed


def test_resync_command_prints_the_report_and_refuses_an_unknown_organisation(capsys):
    organisation = OrganisationFactory()
    admin_of(organisation)
    call_command("resync_chats", "--org", str(organisation.pk))
    first = capsys.readouterr().out
    assert f"(ID {organisation.pk}): чатов создано: 2" in first
    assert "участников добавлено: 2" in first  # the administrator, in both channels
    call_command("resync_chats")
    assert (
        "Итого: чатов создано: 0, архивировано: 0, восстановлено: 0, переименовано: 0; "
        "участников добавлено: 0, вышло: 0, изменено: 0" in capsys.readouterr().out
    )
    with pytest.raises(CommandError, match="не найдена"):
        call_command("resync_chats", "--org", "999999")
