"""Redis (cache, broker and results of the PostgreSQL/Redis stack) dies while the portal serves.

What a user sees during the outage: pages and API lists answer as usual and quickly; a mailing they start
is accepted and shows «в очереди»; sign-in by password and invite links (the guards against guessing, whose
counters live in the cache) answer 503 «…временно закрыты» instead of a server error. After Redis comes back
the mailing goes out by itself, without restarting gunicorn or the worker, and sign-in works again.
"""

import json
import time

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from invites.models import InviteMailing
from invites.services import links
from tests.factories import ClassFactory, OrganisationFactory, admin_of

from ._procs_redis import http, letters_in, portal_env, recipients_of, start_gunicorn, start_worker, wait_until

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

QUICK = 3.0  # seconds: the longest a request may take while Redis is down


def _school(count=3):
    org = OrganisationFactory(short_name="Школа № 5")
    cls = ClassFactory(organisation=org, grade=5, letter="А", name="5А")
    admin = admin_of(org)
    invites = [
        links.invite_create(
            organisation=org, actor=admin, role="student", target_group=cls,
            recipient_name=f"Ученик {n}", recipient_email=f"pupil{n}@example.org",
        )[0]
        for n in range(count)
    ]  # fmt: skip
    return org, admin, invites


class Visitor:
    """What one administrator's browser and API client see, with the time each answer took."""

    def __init__(self, base, org, admin):
        client = Client()
        client.force_login(admin)  # a session row in the shared database, read by gunicorn
        self.base, self.org = base, org
        self.cookie = {"Cookie": f"sessionid={client.cookies['sessionid'].value}"}
        self.api = {"Authorization": f"Token {Token.objects.create(user=admin).key}"}

    def page(self):
        return http(f"{self.base}/orgs/{self.org.pk}/invites/", headers=self.cookie)

    def api_list(self):
        return http(f"{self.base}/api/v1/orgs/{self.org.pk}/invites/", headers=self.api)

    def start_mailing(self, invites):
        body = json.dumps({"invites": [i.pk for i in invites]}).encode()
        headers = {**self.api, "Content-Type": "application/json"}
        return http(f"{self.base}/api/v1/orgs/{self.org.pk}/invites/mailings/", method="POST", data=body,
                    headers=headers)  # fmt: skip

    def mailing(self, pk):
        return json.loads(http(f"{self.base}/api/v1/orgs/{self.org.pk}/invites/mailings/{pk}/", headers=self.api).body)

    def sign_in(self, login, password):
        body = json.dumps({"login": login, "password": password}).encode()
        return http(f"{self.base}/api/v1/auth/token/", method="POST", data=body,
                    headers={"Content-Type": "application/json"})  # fmt: skip

    def open_link(self, token):
        return http(f"{self.base}/join/{token}/")


def test_redis_outage_keeps_pages_and_loses_no_queued_work(shared_database, redis_server, processes, tmp_path):
    org, admin, invites = _school()
    mail_dir = tmp_path / "mail"
    env = portal_env(database=shared_database, redis=redis_server, data_dir=tmp_path / "data", mail_dir=mail_dir,
                     OUTBOX_SWEEP_SECONDS="2")  # fmt: skip
    web, base = start_gunicorn(env, tmp_path / "gunicorn.log")
    processes.append(web)
    worker = start_worker(env, tmp_path / "worker.log", beat=True)
    processes.append(worker)
    user = Visitor(base, org, admin)
    for _warm_up in range(2):
        page, listing = user.page(), user.api_list()
    assert page.status == 200 and listing.status == 200
    print(f"\n[before] page: {page.seconds:.2f} s, API list: {listing.seconds:.2f} s")

    redis_server.kill()
    print("[Redis down] redis-server killed with SIGKILL")

    page, listing = user.page(), user.api_list()
    print(f"[Redis down] page /orgs/…/invites/: {page.status} in {page.seconds:.2f} s; "
          f"API list: {listing.status} in {listing.seconds:.2f} s")  # fmt: skip
    assert page.status == 200 and "Приглашения" in page.text() and page.seconds < QUICK
    assert listing.status == 200 and len(json.loads(listing.body)["results"]) == 3 and listing.seconds < QUICK

    started = user.start_mailing(invites)
    mailing_id = json.loads(started.body)["id"]
    progress = user.mailing(mailing_id)
    print(f"[Redis down] mailing started: {started.status} in {started.seconds:.2f} s, "
          f"shown as «{progress['status_display']}», {progress['text']}")  # fmt: skip
    assert started.status == 202 and started.seconds < QUICK
    assert progress["status"] == "queued" and progress["sent"] == 0

    sign_in, link = user.sign_in(admin.email, "wrong password"), user.open_link("no-such-token-" + "x" * 30)
    print(f"[Redis down] password sign-in: {sign_in.status} «{json.loads(sign_in.body)['error']['message']}» "
          f"in {sign_in.seconds:.2f} s; invite link page: {link.status} in {link.seconds:.2f} s")  # fmt: skip
    assert sign_in.status == 503 and json.loads(sign_in.body)["error"]["code"] == "limiter_unavailable"
    assert link.status == 503 and "временно закрыты" in link.text()
    assert sign_in.seconds < QUICK and link.seconds < QUICK
    assert letters_in(mail_dir) == []

    time.sleep(3)  # an outage longer than the worker's reconnect interval and the sweep interval
    redis_server.start()
    back = time.monotonic()
    print("[Redis back] redis-server started again on the same port (empty: queues of the outage are gone)")

    done = wait_until(lambda: user.mailing(mailing_id)["finished"] and user.mailing(mailing_id), timeout=90,
                      interval=0.5, what="рассылка после возвращения Redis")  # fmt: skip
    recovered = time.monotonic() - back
    print(f"[Redis back] mailing finished {recovered:.1f} s after Redis returned: «{done['text']}»")
    assert done["sent"] == 3
    assert sorted(recipients_of(letters_in(mail_dir))) == sorted(i.recipient_email for i in invites)
    assert InviteMailing.objects.get(pk=mailing_id).status == InviteMailing.Status.DONE

    sign_in, link = user.sign_in(admin.email, "wrong password"), user.open_link("no-such-token-" + "x" * 30)
    print(f"[Redis back] password sign-in with a wrong password: {sign_in.status}; unknown link: {link.status}")
    assert sign_in.status == 400 and json.loads(sign_in.body)["error"]["code"] == "invalid_credentials"
    assert link.status == 404
    assert web.alive() and worker.alive(), "nothing was restarted"
