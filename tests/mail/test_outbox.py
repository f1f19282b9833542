"""Letters and queued jobs survive a broker outage: the work waits in the database and goes out once, later."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from invites.models import InviteMailing
from invites.services import links
from invites.services.sending import invite_mailing_start
from invites.tasks import resume_invite_mailings, send_invite_emails
from portal.mail import email_after_commit
from portal.mail.models import OutgoingEmail
from portal.mail.services import outgoing_email_send
from portal.mail.tasks import send_outgoing_email, send_pending_emails
from tests.factories import ClassFactory, OrganisationFactory, admin_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down(monkeypatch):
    """Every attempt to queue a job fails as it does when Redis is gone."""

    def refuse(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    for task in (send_outgoing_email, send_invite_emails):
        monkeypatch.setattr(task, "apply_async", refuse)


def letter(**kw):
    email_after_commit(subject="Заявка одобрена", body="Добро пожаловать.", recipients=["anna@example.org"], **kw)


def age_everything():
    """As if a sweep interval has passed since the rows were written."""
    past = timezone.now() - timedelta(hours=1)
    OutgoingEmail.objects.update(created_at=past)
    InviteMailing.objects.update(created_at=past)


def test_letter_is_sent_after_commit_and_a_second_job_for_it_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            letter()
            pk = OutgoingEmail.objects.get().pk
            assert mail.outbox == []

    assert [m.to for m in mail.outbox] == [["anna@example.org"]]
    assert not OutgoingEmail.objects.exists()
    assert outgoing_email_send(pk) is False and len(mail.outbox) == 1


def test_rolled_back_action_leaves_no_letter(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            letter()
            raise RuntimeError("the action failed")

    assert mail.outbox == [] and not OutgoingEmail.objects.exists()


def test_letter_queued_while_the_broker_is_down_is_sent_later_once(broker_down, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        letter()  # the action stands: no exception reaches the caller

    assert mail.outbox == [] and OutgoingEmail.objects.count() == 1
    assert send_pending_emails() == 0, "a letter whose job may still be queued is left to it"
    age_everything()
    assert send_pending_emails() == 1
    assert send_pending_emails() == 0
    assert [m.to for m in mail.outbox] == [["anna@example.org"]]


def test_a_letter_the_mail_server_refused_stays_for_the_next_sweep(monkeypatch, django_capture_on_commit_callbacks):
    def smtp_down(*args, **kwargs):
        raise ConnectionRefusedError("smtp.example.org:587")

    monkeypatch.setattr("portal.mail.services.send_mail", smtp_down)
    with django_capture_on_commit_callbacks(execute=True):
        letter()
    row = OutgoingEmail.objects.get()
    assert row.attempts == 1 and "ConnectionRefusedError" in row.last_error

    monkeypatch.undo()
    age_everything()
    assert send_pending_emails() == 1 and len(mail.outbox) == 1


def test_mailing_started_while_the_broker_is_down_is_accepted_and_resumed_later(
    broker_down, django_capture_on_commit_callbacks, monkeypatch
):
    org = OrganisationFactory()
    cls = ClassFactory(organisation=org)
    admin = admin_of(org)
    invite, _ = links.invite_create(organisation=org, actor=admin, role="student", target_group=cls,
                                    recipient_email="pupil@example.org")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        mailing = invite_mailing_start(organisation=org, actor=admin, invites=[invite])

    assert mailing.status == InviteMailing.Status.QUEUED and mail.outbox == []
    monkeypatch.undo()  # the broker is back
    assert resume_invite_mailings() == 0, "a mailing just started may still be on its way"
    age_everything()
    assert resume_invite_mailings() == 1
    mailing.refresh_from_db()
    assert mailing.status == InviteMailing.Status.DONE and [m.to for m in mail.outbox] == [["pupil@example.org"]]
    assert resume_invite_mailings() == 0
