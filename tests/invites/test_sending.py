import pytest
from django.core import mail
from django.core.mail import EmailMessage

from invites.models import InviteMailing
from invites.services import links
from invites.services.sending import invite_mailing_get, invite_mailing_progress, invite_mailing_start
from invites.tasks import send_invite_emails
from orgs.models import AuditEntry
from portal.exceptions import NotFound, PermissionDenied, RuleViolation
from tests.factories import ClassFactory, OrganisationFactory, admin_of, curator_of, student_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganisationFactory(short_name="Школа № 3")


@pytest.fixture
def cls(org):
    return ClassFactory(organisation=org, grade=7, letter="Б", name="7Б")


@pytest.fixture
def admin(org):
    return admin_of(org)


def invite(org, cls, actor, name, email="", **kw):
    kw.setdefault("role", "student")
    created, _ = links.invite_create(
        organisation=org, actor=actor, target_group=cls, recipient_name=name, recipient_email=email, **kw
    )
    return created


@pytest.fixture
def batch(org, cls, admin):
    return [
        invite(org, cls, admin, "Орлов Олег", "oleg@example.org"),
        invite(org, cls, admin, "Петрова Полина", "polina@example.org"),
        invite(org, cls, admin, "Без Почты"),
        invite(org, cls, admin, "Рябов Роман", "roman@example.org"),
    ]


def start(org, admin, invites, capture):
    with capture(execute=True):
        return invite_mailing_start(organisation=org, actor=admin, invites=invites)


def test_each_known_address_gets_its_own_link_and_progress_counts(
    org, admin, batch, django_capture_on_commit_callbacks
):
    mailing = start(org, admin, batch, django_capture_on_commit_callbacks)

    assert sorted(m.to[0] for m in mail.outbox) == ["oleg@example.org", "polina@example.org", "roman@example.org"]
    letter = next(m for m in mail.outbox if m.to == ["polina@example.org"])
    assert links.invite_url(batch[1]) in letter.body
    assert "Здравствуйте, Петрова Полина!" in letter.body
    assert "Школа № 3, 7Б" in letter.subject
    assert links.invite_url(batch[0]) not in letter.body
    progress = invite_mailing_progress(mailing)
    assert (progress["total"], progress["sent"], progress["skipped"], progress["failed"]) == (4, 3, 1, 0)
    assert progress["finished"] and progress["status_display"] == "завершена"
    assert progress["text"] == "отправлено 3 из 4, пропущено (нет e-mail или ссылка не действует): 1"
    assert AuditEntry.objects.filter(organisation=org, action="invite.mailing_started").count() == 1


def test_the_job_runs_only_after_the_transaction_commits(org, admin, batch, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        mailing = invite_mailing_start(organisation=org, actor=admin, invites=batch)

    assert mail.outbox == []
    assert invite_mailing_progress(mailing)["text"] == "отправлено 0 из 4"
    assert invite_mailing_progress(mailing)["status_display"] == "в очереди"
    assert len(callbacks) == 1


def test_running_the_job_again_sends_nothing_twice(org, admin, batch, django_capture_on_commit_callbacks):
    mailing = start(org, admin, batch, django_capture_on_commit_callbacks)

    send_invite_emails(mailing.pk)
    send_invite_emails(mailing.pk)

    assert len(mail.outbox) == 3
    assert invite_mailing_progress(mailing)["sent"] == 3


def test_after_a_failed_letter_a_rerun_sends_only_what_is_missing(
    org, admin, batch, monkeypatch, django_capture_on_commit_callbacks
):
    real_send = EmailMessage.send

    def flaky_send(message, *args, **kwargs):
        if message.to == ["polina@example.org"]:
            raise ConnectionRefusedError("почтовый сервер недоступен")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", flaky_send)
    mailing = start(org, admin, batch, django_capture_on_commit_callbacks)
    progress = invite_mailing_progress(mailing)
    assert (progress["sent"], progress["failed"], progress["skipped"]) == (2, 1, 1)
    assert "не удалось отправить: 1" in progress["text"]
    assert "ConnectionRefusedError" in progress["last_error"]

    monkeypatch.setattr(EmailMessage, "send", real_send)
    send_invite_emails(mailing.pk)

    assert sorted(m.to[0] for m in mail.outbox) == ["oleg@example.org", "polina@example.org", "roman@example.org"]
    progress = invite_mailing_progress(mailing)
    assert (progress["sent"], progress["failed"], progress["skipped"]) == (3, 0, 1)


def test_a_crash_midway_is_resumed_without_duplicates(
    org, admin, batch, monkeypatch, django_capture_on_commit_callbacks
):
    real_send = EmailMessage.send
    calls = []

    def crash_on_third(message, *args, **kwargs):
        calls.append(message.to)
        if len(calls) == 3:
            raise SystemExit("worker killed")  # not an error the job handles: the worker dies
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", crash_on_third)
    with pytest.raises(SystemExit):
        start(org, admin, batch, django_capture_on_commit_callbacks)
    mailing = InviteMailing.objects.get()
    assert invite_mailing_progress(mailing)["sent"] == 2
    assert invite_mailing_progress(mailing)["status_display"] == "отправляется"

    monkeypatch.setattr(EmailMessage, "send", real_send)
    send_invite_emails(mailing.pk)

    assert sorted(m.to[0] for m in mail.outbox) == ["oleg@example.org", "polina@example.org", "roman@example.org"]
    assert invite_mailing_progress(mailing)["finished"]


def test_revoked_invite_is_skipped(org, admin, batch, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        mailing = invite_mailing_start(organisation=org, actor=admin, invites=batch)
    links.invite_revoke(invite=batch[0], actor=admin)
    for callback in callbacks:
        callback()

    assert sorted(m.to[0] for m in mail.outbox) == ["polina@example.org", "roman@example.org"]
    assert invite_mailing_progress(mailing)["skipped"] == 2


def test_parent_letter_warns_off_the_childs_details(org, cls, admin, django_capture_on_commit_callbacks):
    child = student_in(cls)
    parent_invite = invite(
        org, cls, admin, "Соколова Светлана", "mother@example.org", role="parent", bound_student=child
    )

    start(org, admin, [parent_invite], django_capture_on_commit_callbacks)

    assert "а не по данным ребёнка" in mail.outbox[0].body
    assert child.full_name in mail.outbox[0].body


def test_only_who_manages_the_invites_may_send_them(org, cls, admin, batch):
    curator = curator_of(cls)
    own = invite(org, cls, curator, "Своя Ссылка", "own@example.org")

    with pytest.raises(PermissionDenied):
        invite_mailing_start(organisation=org, actor=curator, invites=[own, batch[0]])
    assert invite_mailing_start(organisation=org, actor=curator, invites=[own]).total == 1

    other_org = OrganisationFactory()
    with pytest.raises(NotFound):
        invite_mailing_start(organisation=other_org, actor=admin_of(other_org), invites=batch)
    assert InviteMailing.objects.count() == 1


def test_a_batch_without_any_address_is_refused(org, admin, batch):
    with pytest.raises(RuleViolation, match="нет адреса e-mail"):
        invite_mailing_start(organisation=org, actor=admin, invites=[batch[2]])


def test_a_mailing_is_seen_by_its_author_and_administrators_only(org, cls, admin, batch):
    curator = curator_of(cls)
    mailing = invite_mailing_start(organisation=org, actor=admin, invites=batch)

    assert invite_mailing_get(admin, org, mailing.pk) == mailing
    with pytest.raises(NotFound):
        invite_mailing_get(curator, org, mailing.pk)
    other_org = OrganisationFactory()
    with pytest.raises(NotFound):
        invite_mailing_get(admin_of(other_org), other_org, mailing.pk)
