"""The daily digest of pending join requests, as approvers receive it."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from invites.models import JoinRequest, JoinRequestDigest
from invites.services.digest import join_requests_send_digest
from invites.tasks import send_join_request_digest
from tests.factories import ClassFactory, OrganisationFactory, UserFactory, admin_of, curator_of, student_in, teacher_of

pytestmark = pytest.mark.django_db
TIME_ZONE = "Asia/Irkutsk"


def _last_local_noon():
    """Noon of the organisation's day, at most a day ago: half an hour later is still the same local day,
    whenever the tests run (a plain now() at 23:45 in Irkutsk made the «same day» re-run a new day)."""
    local = timezone.localtime(timezone.now(), ZoneInfo(TIME_ZONE))
    noon = local.replace(hour=12, minute=0, second=0, microsecond=0)
    return noon if noon <= local else noon - timedelta(days=1)


NOW = _last_local_noon()


@pytest.fixture
def org():
    return OrganisationFactory(short_name="Школа № 7", time_zone=TIME_ZONE)


@pytest.fixture
def class_a(org):
    return ClassFactory(organisation=org, grade=5, letter="А", name="5А")


@pytest.fixture
def class_b(org):
    return ClassFactory(organisation=org, grade=7, letter="Б", name="7Б")


def ask(org, role, group=None, *, days_ago=0, last_name=None, child=None):
    user = UserFactory(last_name=last_name) if last_name else UserFactory()
    return JoinRequest.objects.create(
        organisation=org, user=user, role=role, group=group, child=child, created_at=NOW - timedelta(days=days_ago)
    )


def send(capture, **kwargs):
    with capture(execute=True):
        return join_requests_send_digest(**kwargs)


def letters_to(mailoutbox, user):
    return [m for m in mailoutbox if user.email in m.to]


def test_one_letter_per_approver_with_their_requests_only(
    org, class_a, class_b, mailoutbox, django_capture_on_commit_callbacks
):
    admin = admin_of(org)
    curator_a, curator_b = curator_of(class_a), curator_of(class_b)
    child = student_in(class_a)
    ask(org, "student", class_a, last_name="Аксёнов")
    ask(org, "parent", class_a, last_name="Алексеева", child=child)
    ask(org, "student", class_b, last_name="Борисов")
    ask(org, "teacher", last_name="Учителева")
    outsider_org = OrganisationFactory()
    admin_of(outsider_org)
    ask(outsider_org, "student", ClassFactory(organisation=outsider_org), last_name="Чужаков")

    sent = send(django_capture_on_commit_callbacks, now=NOW)

    assert sent == 4  # admin, curators of 5А and 7Б here; the other organisation's administrator there
    [to_admin] = letters_to(mailoutbox, admin)
    assert all(n in to_admin.body for n in ("Аксёнов", "Алексеева", "Борисов", "Учителева"))
    assert "Чужаков" not in to_admin.body
    assert "заявки на вступление: 4" in to_admin.body
    assert reverse("invites:join_requests", args=[org.pk]) in to_admin.body
    [to_a] = letters_to(mailoutbox, curator_a)
    assert "Аксёнов" in to_a.body and "Алексеева" in to_a.body
    assert "ребёнок: " + child.full_name in to_a.body
    # A curator does not get another class's requests, nor the staff ones.
    assert "Борисов" not in to_a.body and "Учителева" not in to_a.body
    [to_b] = letters_to(mailoutbox, curator_b)
    assert "Борисов" in to_b.body
    assert "Аксёнов" not in to_b.body and "Учителева" not in to_b.body


def test_unverified_curator_and_plain_teacher_get_nothing(org, class_a, mailoutbox, django_capture_on_commit_callbacks):
    unverified = curator_of(class_a, teacher_of(org, verified=False))
    teacher = teacher_of(org)
    ask(org, "student", class_a)

    assert send(django_capture_on_commit_callbacks, now=NOW) == 0
    assert not letters_to(mailoutbox, unverified) and not letters_to(mailoutbox, teacher)


def test_requests_older_than_n_days_are_flagged(org, class_a, settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.JOIN_REQUEST_STALE_DAYS = 3
    admin = admin_of(org)
    ask(org, "student", class_a, days_ago=5, last_name="Старова")
    ask(org, "student", class_a, days_ago=1, last_name="Новикова")

    send(django_capture_on_commit_callbacks, now=NOW)

    [letter] = letters_to(mailoutbox, admin)
    lines = {
        line.split(",")[0].removeprefix("— ").split()[0]: line
        for line in letter.body.splitlines()
        if line.startswith("— ")
    }
    assert "ДОЛГО ЖДЁТ РЕШЕНИЯ (дней: 5)" in lines["Старова"]
    assert "ДОЛГО ЖДЁТ" not in lines["Новикова"]
    assert "ждут дольше 3 дн.: 1" in letter.body
    # The oldest request comes first.
    assert letter.body.index("Старова") < letter.body.index("Новикова")


def test_stale_limit_follows_the_setting(org, class_a, settings, mailoutbox, django_capture_on_commit_callbacks):
    settings.JOIN_REQUEST_STALE_DAYS = 7
    admin = admin_of(org)
    ask(org, "student", class_a, days_ago=5, last_name="Старова")

    send(django_capture_on_commit_callbacks, now=NOW)

    [letter] = letters_to(mailoutbox, admin)
    assert "ДОЛГО ЖДЁТ" not in letter.body


def test_rerun_the_same_day_sends_nothing_and_next_day_sends_again(
    org, class_a, mailoutbox, django_capture_on_commit_callbacks
):
    admin = admin_of(org)
    ask(org, "student", class_a)

    assert send(django_capture_on_commit_callbacks, now=NOW) == 1
    assert send(django_capture_on_commit_callbacks, now=NOW + timedelta(minutes=30)) == 0
    assert len(letters_to(mailoutbox, admin)) == 1
    assert JoinRequestDigest.objects.filter(user=admin, organisation=org).count() == 1

    assert send(django_capture_on_commit_callbacks, now=NOW + timedelta(days=1)) == 1
    assert len(letters_to(mailoutbox, admin)) == 2


def test_decided_requests_are_left_out_and_nobody_is_written_to_without_pending(
    org, class_a, mailoutbox, django_capture_on_commit_callbacks
):
    admin_of(org)
    request = ask(org, "student", class_a)
    request.status = JoinRequest.Status.APPROVED
    request.save()

    assert send(django_capture_on_commit_callbacks, now=NOW) == 0
    assert mailoutbox == []


def test_task_and_command_send_the_digest_once(org, class_a, mailoutbox, django_capture_on_commit_callbacks):
    admin = admin_of(org)
    ask(org, "student", class_a)

    with django_capture_on_commit_callbacks(execute=True):
        assert send_join_request_digest.delay().get() == 1
    with django_capture_on_commit_callbacks(execute=True):
        call_command("join_request_digest")
    assert len(letters_to(mailoutbox, admin)) == 1
