"""A Celery worker killed with SIGKILL in the middle of a job; a new worker finishes the work.

The worker (main process and its pool child) dies as in an OOM kill or a power loss: nothing is acknowledged,
nothing is cleaned up. With acks_late the job stays in Redis as unacknowledged and a new worker takes it again
after the visibility timeout (3 s here, CELERY_VISIBILITY_TIMEOUT); each job is idempotent, so the second run
does only what the first left undone. Letters are counted in the files of Django's file-based e-mail backend.
"""

import os
import signal
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from chats.models import Chat
from chats.services.sync import chats_sync_organisation
from invites.models import Invite, InviteMailing
from invites.services import links
from tests.factories import ClassFactory, OrganisationFactory, admin_of, curator_of, student_in

from ._procs_redis import RedisServer, letters_in, portal_env, recipients_of, send_job, start_worker, wait_until

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

VISIBILITY = 3  # seconds before an unacknowledged job of a dead worker is handed out again


@dataclass
class Stack:
    redis: RedisServer
    database: str
    tmp: Path
    processes: list
    ready_at: float = 0.0

    @property
    def mail_dir(self) -> Path:
        return self.tmp / "mail"

    def worker(self, name, *, beat=False, **extra):
        env = portal_env(database=self.database, redis=self.redis, data_dir=self.tmp / "data", mail_dir=self.mail_dir,
                         CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY), OUTBOX_SWEEP_SECONDS="2", **extra)  # fmt: skip
        process = start_worker(env, self.tmp / f"{name}.log", beat=beat)
        self.processes.append(process)
        self.ready_at = time.monotonic()
        return process

    def since(self, killed: float) -> str:
        now = time.monotonic()
        return f"{now - killed:.1f} s after the kill, {now - self.ready_at:.1f} s after the new worker was ready"

    def letters(self) -> list[str]:
        return recipients_of(letters_in(self.mail_dir))

    def kill_mid_job(self, worker, job: str, *args, progress, what: str) -> float:
        """Queue the job, wait for its first visible progress, SIGKILL the worker; returns the kill time."""
        queued = time.monotonic()
        send_job(self.redis, job, *args)
        wait_until(progress, timeout=60, interval=0.01, what=what)
        worker.kill9()
        killed = time.monotonic()
        print(f"\n[kill -9] {job}: worker killed {killed - queued:.1f} s after the job was queued")
        # The job becomes visible again VISIBILITY seconds after its delivery; a worker started later takes it.
        time.sleep(VISIBILITY + 0.5)
        return killed


@pytest.fixture
def stack(shared_database, redis_server, processes, tmp_path):
    return Stack(redis_server, shared_database, tmp_path, processes)


def _fresh(row):
    row.refresh_from_db()
    return row


def _mailing_of_twelve():
    org = OrganisationFactory(short_name="Школа № 7")
    cls = ClassFactory(organisation=org, grade=6, letter="Б", name="6Б")
    admin = admin_of(org)
    invites = [
        links.invite_create(organisation=org, actor=admin, role="student", target_group=cls,
                            recipient_name=f"Ученик {n}", recipient_email=f"pupil{n}@example.org")[0]
        for n in range(12)
    ]  # fmt: skip
    # The row invite_mailing_start writes; the job is queued by the test so that its own process sends nothing.
    mailing = InviteMailing.objects.create(
        organisation=org, invite_ids=[i.pk for i in invites], total=len(invites), created_by=admin
    )
    return mailing, invites


def test_invite_mailing_killed_mid_way_sends_every_letter_exactly_once(stack):
    mailing, invites = _mailing_of_twelve()
    first = stack.worker("worker-1", INVITE_MAILING_PAUSE_SECONDS="0.5")

    killed = stack.kill_mid_job(first, "invites.tasks.send_invite_emails", mailing.pk,
                                progress=lambda: _fresh(mailing).sent >= 4, what="4 письма рассылки")  # fmt: skip
    at_kill, on_disk = _fresh(mailing), stack.letters()
    print(f"[kill -9] the page shows «{at_kill}» ({at_kill.get_status_display()}); letters sent: {len(on_disk)}")
    assert at_kill.status == InviteMailing.Status.RUNNING and 4 <= at_kill.sent < len(invites)
    assert len(on_disk) == at_kill.sent  # every letter that left is recorded, none recorded that did not

    stack.worker("worker-2", beat=True, INVITE_MAILING_PAUSE_SECONDS="0.5")
    done = wait_until(lambda: _fresh(mailing).status == InviteMailing.Status.DONE and mailing, timeout=90,
                      interval=0.2, what="рассылка после нового worker")  # fmt: skip
    print(f"[after] «{done}» ({done.get_status_display()}), {stack.since(killed)}")
    assert Counter(stack.letters()) == Counter(i.recipient_email for i in invites), "each address one letter"
    assert (done.sent, done.failed, done.skipped) == (len(invites), 0, 0)


def test_mailing_whose_pool_process_is_killed_goes_on_in_the_same_worker(stack):
    """The OOM killer's usual victim is the pool process: the worker sees it die and puts the job back at once."""
    mailing, invites = _mailing_of_twelve()
    worker = stack.worker("worker", INVITE_MAILING_PAUSE_SECONDS="0.5")
    send_job(stack.redis, "invites.tasks.send_invite_emails", mailing.pk)
    wait_until(lambda: _fresh(mailing).sent >= 4, timeout=60, interval=0.01, what="4 письма рассылки")
    (child,) = worker.children()
    os.kill(child, signal.SIGKILL)
    killed = time.monotonic()
    print(f"\n[kill -9 pool process] at «{_fresh(mailing)}»; letters sent: {len(stack.letters())}")

    done = wait_until(lambda: _fresh(mailing).status == InviteMailing.Status.DONE and mailing, timeout=90,
                      interval=0.2, what="рассылка после гибели процесса пула")  # fmt: skip
    print(f"[after] «{done}», {time.monotonic() - killed:.1f} s after the kill, same worker")
    assert worker.alive() and "WorkerLostError" in worker.log()
    assert Counter(stack.letters()) == Counter(i.recipient_email for i in invites), "each address one letter"


def test_annulment_killed_mid_way_tells_every_creator_exactly_once(stack):
    org = OrganisationFactory(short_name="Колледж № 2")
    cls = ClassFactory(organisation=org, grade=1, letter="А", name="ЭС-21")
    creators = [admin_of(org) for _ in range(120)]
    for creator in creators:
        for n in range(2):
            links.invite_create(organisation=org, actor=creator, role="parent", target_group=cls,
                                recipient_name=f"Родитель {n}")  # fmt: skip
    Invite.objects.update(created_at=timezone.now() - timedelta(days=400))  # long unused, past any limit
    first = stack.worker("worker-1")

    def revoked():
        return Invite.objects.filter(status=Invite.Status.REVOKED).count()

    killed = stack.kill_mid_job(first, "invites.tasks.annul_unused_invites", progress=lambda: revoked() >= 2,
                                what="первые аннулированные ссылки")  # fmt: skip
    at_kill, told = revoked(), len(stack.letters())
    print(f"[kill -9] links annulled: {at_kill} of {2 * len(creators)}; creators told so far: {told}")
    assert 2 <= at_kill < 2 * len(creators), "killed mid-way"

    stack.worker("worker-2", beat=True)
    wait_until(lambda: revoked() == 2 * len(creators) and len(stack.letters()) >= len(creators), timeout=120,
               interval=0.2, what="все ссылки аннулированы и письма отправлены")  # fmt: skip
    time.sleep(3)  # let a duplicate, if any, arrive: one more sweep interval
    print(f"[after] all {revoked()} links annulled, {len(stack.letters())} letters, "
          f"{stack.since(killed)}")  # fmt: skip
    assert Counter(stack.letters()) == Counter(c.email for c in creators), "each creator exactly one letter"


def test_chat_resync_killed_mid_way_is_finished_by_the_next_run(stack):
    schools = []
    for n in range(16):
        org = OrganisationFactory(short_name=f"Школа № {n + 100}")
        cls = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
        curator_of(cls)
        for _ in range(4):
            student_in(cls)
        schools.append(org)
    assert not Chat.objects.exists()
    first = stack.worker("worker-1")

    def synced():
        return Chat.objects.values("organisation").distinct().count()

    killed = stack.kill_mid_job(first, "chats.tasks.resync_chats", progress=lambda: synced() >= 1,
                                what="первая организация с чатами")  # fmt: skip
    at_kill = synced()
    print(f"[kill -9] organisations with their chats: {at_kill} of {len(schools)}")
    assert 1 <= at_kill < len(schools), "killed mid-way"

    stack.worker("worker-2")
    wait_until(lambda: synced() == len(schools), timeout=120, interval=0.2, what="чаты всех организаций")
    print(f"[after] all {len(schools)} organisations have their chats, {stack.since(killed)}")
    time.sleep(1)  # the second run's last transaction commits
    for org in schools:
        assert not chats_sync_organisation(organisation=org).changed, f"{org} left half-synced"
        kinds = Counter(Chat.objects.filter(organisation=org).values_list("kind", "group_id"))
        assert set(kinds.values()) == {1}, f"{org}: a chat created twice: {kinds}"
