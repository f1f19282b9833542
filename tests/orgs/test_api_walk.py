"""Walks every endpoint of the OpenAPI schema.

1. Tenant isolation: an administrator of organisation A, aimed at organisation B's objects, gets 403 or 404
   from every endpoint, and B's rows never appear in A's answers.
2. Malformed input: every operation, fed wrong types, broken JSON and nonsense query strings, answers 4xx in
   the single error shape, never 500; every request body it declares (JSON, form, multipart) is refused with a
   clear 400 or 413 when it cannot be parsed safely: nested too deep, too large, numbers of thousands of digits,
   invalid UTF-8, repeated keys, too many fields.
"""

import datetime
import functools
import re

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from chats.models import Chat, ChatMember, Event, Message, Report
from chats.services.messages import message_post
from chats.services.moderation import report_create
from chats.services.polls import poll_create
from invites.models import InvitePolicy
from orgs.models import CuratorAssignment, Membership, ParentLink, TeachingAssignment
from orgs.movement_models import OrgTransfer, Promotion
from orgs.services.membership import staff_set_position
from policies.models import Acknowledgement, DocumentVersion, ResponsiblePerson
from policies.selectors_ack import campaign_for_version
from policies.services.acknowledgements import acknowledgement_record
from policies.services.content import rule_set_ensure
from policies.services.documents import version_create
from policies.services.responsible import responsible_add
from policies.services.workflow import version_agreement_add, version_approve
from roster.models import RosterImport
from roster.services.imports import roster_import_create
from stats.models import Area, MonthlyReport
from stats.services.areas import area_get_or_create, methodologist_attach
from tests.factories import (
    OrganisationFactory,
    UserFactory,
    admin_of,
    member,
)
from tests.limits import forget_tries
from tests.school import application, mailing, meeting, school

pytestmark = pytest.mark.django_db
POLICY_DEFAULTS = {
    f.name: f.default for f in InvitePolicy._meta.concrete_fields if f.name not in ("id", "organisation")
}

PUBLIC = {"/api/v1/auth/token/", "/api/v1/auth/code/", "/api/v1/auth/code/verify/", "/api/v1/auth/logout/"}
# Operations meant for people outside the organisation: applying to join it. They are accepted from A's
# administrator too, and answered with what was sent only; tests/orgs/test_api_outsiders.py walks every operation
# as an outsider and compares the answers for real, missing and misplaced ids.
OUTSIDERS_WELCOME = {("/api/v1/orgs/{org_pk}/join-requests/", "post")}


@functools.cache
def operations() -> tuple[tuple[str, str, dict], ...]:
    """(path, method, operation) of every operation of the schema, generated once per test process."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return tuple(
        (path, method, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    )


def procedure_in_force(s) -> DocumentVersion:
    """The «Порядок» in force (the teacher is the director here), which the teacher has acknowledged."""
    membership = Membership.objects.get(organisation=s.org, user=s.teacher, role="teacher")
    staff_set_position(membership=membership, actor=s.admin, position="director")
    version = version_create(organisation=s.org, kind="procedure", actor=s.admin)
    version_agreement_add(
        version=version, actor=s.admin, body="Совет", protocol_number="1", protocol_date=datetime.date(2026, 8, 28)
    )
    version = version_approve(version=version, actor=s.teacher, method="in_app")
    acknowledgement_record(campaign=campaign_for_version(version), actor=s.teacher)
    return version


def build_org():
    s = school()
    org, cls, admin, kid = s.org, s.cls, s.admin, s.kid
    area = area_get_or_create(region=org.region, municipality=org.municipality)
    channel = Chat.objects.get(organisation=org, kind="general_channel")
    poll = poll_create(chat=channel, actor=admin, question="Вопрос?", options=["Да", "Нет"])
    announcement = message_post(chat=channel, actor=admin, text="Объявление")
    report = report_create(message=announcement, actor=kid, reason="spam")
    rule_set_ensure(org.pk)
    return {
        "acknowledgements": procedure_in_force(s).pk,
        "org": org,
        "admin": admin,
        "groups": cls.pk,
        "members": Membership.objects.get(organisation=org, user=kid).pk,
        "people": kid.pk,  # /orgs/{org_pk}/people/{id}/end-sessions/: a person of the organisation
        "curators": CuratorAssignment.objects.get(organisation=org).pk,
        "teaching-assignments": TeachingAssignment.objects.get(organisation=org).pk,
        "parent-links": ParentLink.objects.get(organisation=org).pk,
        "registrations": application(short_name=f"app-{org.pk}", organisation=org).pk,
        "orgs": org.pk,
        "chats": channel.pk,
        "chat_title": channel.title,
        "chat_ids": list(Chat.objects.filter(organisation=org).values_list("pk", flat=True)),
        "messages": announcement.pk,
        "reports": report.pk,
        "chat-members": kid.pk,
        "polls": poll.pk,
        "events": meeting(s, channel).pk,
        "invites": s.invite.pk,
        "join-requests": s.join_request.pk,
        "invites/mailings": mailing(s).pk,
        "settings/channels": channel.pk,
        "areas": area.pk,
        "content-rules": org.forbidden_services.order_by("pk").first().pk,
        "policies/versions": version_create(organisation=org, kind="regulation", actor=admin).pk,
        "policies/responsible": responsible_add(
            organisation=org,
            actor=admin,
            person=s.teacher,
            duty="moderation",
            position="учитель",
            valid_from=datetime.date(2026, 9, 1),
        ).pk,
        # A promotion waiting for its job, and a transfer from a third school waiting for B's decision.
        "promotions": Promotion.objects.create(
            organisation=org, from_year=cls.academic_year, to_year_name="2027/2028", created_by=admin
        ).pk,
        "transfers": OrgTransfer.objects.create(
            source=OrganisationFactory(), target=org, user=UserFactory(), role="student", requested_by=admin
        ).pk,
        # A roster import in preview: /orgs/{org_pk}/roster/imports/{id}/…
        "roster": roster_import_create(
            organisation=org,
            actor=admin,
            kind="students",
            file_name="roster.csv",
            data=f"Фамилия;Имя;Класс\r\nНовиков;Пётр;{cls.name}\r\n".encode("cp1251"),
        ).pk,
        # A report of the municipality being built (no file yet): its file answers 404 to everyone.
        "area-reports": MonthlyReport.objects.get_or_create(
            area=area, kind="area", month=area.created_at.date().replace(day=1)
        )[0].pk,
    }


def fill(path: str, org_id: int, objects: dict) -> str:
    nested = r"(?:/mailings|/versions|/responsible|/channels)?"
    resource = re.search(rf"/api/v1/(?:orgs/\{{org_pk\}}/)?([a-z-]+{nested})/", path).group(1)
    path = path.replace("{org_pk}", str(org_id))
    for param, key in (
        ("{mid}", "messages"),
        ("{pid}", "polls"),
        ("{rid}", "reports"),
        ("{user_id}", "chat-members"),
        ("{report_id}", "area-reports"),
    ):
        path = path.replace(param, str(objects.get(key, 999999)))
    return path.replace("{id}", str(objects.get(resource, 999999)))


def body_for(objects) -> dict:
    """A well-formed body whose references all point at the given organisation's objects."""
    org = objects["org"]
    teacher = org.memberships.filter(role="teacher").first().user_id
    kid = org.memberships.filter(role="student").first().user_id
    parent = org.memberships.filter(role="parent").first().user_id
    return {
        "reason": "причина",
        "group": objects["groups"],
        "teacher": teacher,
        "subject": "Физика",
        "kind": "club",
        "name": "Кружок",
        "user": teacher,
        "parent": parent,
        "child": kid,
        "position": "deputy",
        "short_name": "Взлом",
    }


@pytest.fixture
def two_orgs():
    return build_org(), build_org()


def test_every_endpoint_refuses_organisation_b_to_admin_of_a(two_orgs):
    a, b = two_orgs
    client = APIClient()
    client.force_authenticate(a["admin"])
    checked = 0
    walked = set()
    b_names = {n for m in b["org"].memberships.select_related("user") for n in (m.user.full_name, m.user.last_name)}
    for path, method, _op in operations():
        if path in PUBLIC or (path == "/api/v1/registrations/" and method == "post"):
            continue
        if (path, method) in OUTSIDERS_WELCOME:
            resp = client.post(fill(path, b["org"].pk, b), {**body_for(b), "role": "parent"}, format="json")
            assert resp.status_code == 201, resp.content
            assert not any(name in resp.content.decode() for name in b_names), resp.content
            walked.add((path, method))
            continue
        if "{org_pk}" not in path and "{id}" not in path:
            continue
        for org_id, objects in ((b["org"].pk, b), (a["org"].pk, {k: v for k, v in b.items() if k != "orgs"})):
            if org_id == a["org"].pk and ("{org_pk}" not in path or "{id}" not in path):
                continue
            url = fill(path, org_id, objects)
            if method == "get":
                resp = client.get(url)
            else:
                resp = getattr(client, method)(url, body_for(b), format="json")
            assert resp.status_code in (403, 404), f"{method.upper()} {url} → {resp.status_code} {resp.content[:200]}"
            assert "error" in resp.json()
            checked += 1
            walked.add((path, method))
    assert checked > 40
    assert {
        ("/api/v1/orgs/{org_pk}/invites/{id}/", "get"),
        ("/api/v1/orgs/{org_pk}/invites/{id}/revoke/", "post"),
        ("/api/v1/orgs/{org_pk}/invites/{id}/relay/", "post"),
        ("/api/v1/orgs/{org_pk}/invites/bulk/", "post"),
        ("/api/v1/orgs/{org_pk}/join-requests/{id}/approve/", "post"),
        ("/api/v1/join-requests/mine/{id}/withdraw/", "post"),
        ("/api/v1/orgs/{org_pk}/invites/kit/", "get"),
        ("/api/v1/orgs/{org_pk}/invites/{id}/cards/", "get"),
        ("/api/v1/orgs/{org_pk}/invites/export/", "get"),
        ("/api/v1/orgs/{org_pk}/invites/mailings/", "post"),
        ("/api/v1/orgs/{org_pk}/invites/mailings/{id}/", "get"),
        ("/api/v1/chats/{id}/messages/", "post"),
        ("/api/v1/chats/{id}/messages/{mid}/", "delete"),
        ("/api/v1/chats/{id}/polls/{pid}/vote/", "post"),
        ("/api/v1/orgs/{org_pk}/events/", "post"),
        ("/api/v1/orgs/{org_pk}/events/{id}/cancel/", "post"),
        ("/api/v1/orgs/{org_pk}/chats/", "post"),
        ("/api/v1/orgs/{org_pk}/chats/{id}/", "patch"),
        ("/api/v1/orgs/{org_pk}/chats/{id}/archive/", "post"),
        ("/api/v1/orgs/{org_pk}/chats/{id}/members/", "post"),
        ("/api/v1/chats/{id}/members/", "get"),
        ("/api/v1/chats/{id}/members/{user_id}/mute/", "post"),
        ("/api/v1/chats/{id}/members/{user_id}/", "delete"),
        ("/api/v1/chats/{id}/messages/{mid}/pin/", "post"),
        ("/api/v1/chats/{id}/messages/{mid}/report/", "post"),
        ("/api/v1/orgs/{org_pk}/reports/{rid}/resolve/", "post"),
        ("/api/v1/orgs/{org_pk}/join-requests/", "post"),
        ("/api/v1/orgs/{org_pk}/policies/versions/{id}/files/pdf/", "get"),
        ("/api/v1/orgs/{org_pk}/policies/versions/{id}/files/docx/", "get"),
        ("/api/v1/orgs/{org_pk}/settings/", "get"),
        ("/api/v1/orgs/{org_pk}/settings/", "patch"),
        ("/api/v1/orgs/{org_pk}/settings/channels/", "post"),
        ("/api/v1/orgs/{org_pk}/settings/channels/{id}/", "patch"),
        ("/api/v1/orgs/{org_pk}/invites/admin-link/", "post"),
        ("/api/v1/orgs/{org_pk}/promotions/", "post"),
        ("/api/v1/orgs/{org_pk}/promotions/preview/", "post"),
        ("/api/v1/orgs/{org_pk}/promotions/{id}/", "get"),
        ("/api/v1/orgs/{org_pk}/members/{id}/move/", "post"),
        ("/api/v1/orgs/{org_pk}/members/{id}/history/", "get"),
        ("/api/v1/orgs/{org_pk}/transfers/", "get"),
        ("/api/v1/orgs/{org_pk}/transfers/{id}/accept/", "post"),
        ("/api/v1/orgs/{org_pk}/transfers/{id}/reject/", "post"),
        ("/api/v1/orgs/{org_pk}/roster/imports/", "post"),
        ("/api/v1/orgs/{org_pk}/roster/imports/{id}/", "get"),
        ("/api/v1/orgs/{org_pk}/roster/imports/{id}/mapping/", "post"),
        ("/api/v1/orgs/{org_pk}/roster/imports/{id}/fix/", "post"),
        ("/api/v1/orgs/{org_pk}/roster/imports/{id}/classes/", "post"),
        ("/api/v1/orgs/{org_pk}/roster/imports/{id}/confirm/", "post"),
        ("/api/v1/orgs/{org_pk}/roster/imports/{id}/status/", "get"),
        ("/api/v1/orgs/{org_pk}/roster/imports/{id}/errors/", "get"),
        ("/api/v1/orgs/{org_pk}/acknowledgements/", "get"),
        ("/api/v1/orgs/{org_pk}/acknowledgements/mine/", "get"),
        ("/api/v1/orgs/{org_pk}/acknowledgements/{id}/", "get"),
        ("/api/v1/orgs/{org_pk}/acknowledgements/{id}/acknowledge/", "post"),
        ("/api/v1/orgs/{org_pk}/acknowledgements/{id}/paper/", "post"),
        ("/api/v1/orgs/{org_pk}/acknowledgements/{id}/sheet/", "get"),
        ("/api/v1/orgs/{org_pk}/terms/", "get"),
        ("/api/v1/orgs/{org_pk}/terms/", "post"),
    } <= walked
    # Creating things in A that point at B's class or people is refused too.
    for url in ("groups/", "curators/", "teaching-assignments/", "parent-links/", "administrators/"):
        resp = client.post(
            f"/api/v1/orgs/{a['org'].pk}/{url}",
            {**body_for(b), "parent": b["groups"] if url == "groups/" else body_for(b)["parent"]},
            format="json",
        )
        if url == "groups/":
            assert resp.status_code == 404, resp.content
        else:
            assert resp.status_code in (400, 404), (url, resp.content)
    # Nothing of B changed.
    assert b["org"].memberships.filter(valid_to__isnull=True).count() == 4
    b["org"].refresh_from_db()
    assert b["org"].short_name != "Взлом"
    assert Event.objects.get(pk=b["events"]).cancelled_at is None
    # B's chats, members, pins and reports are as they were.
    channel = Chat.objects.get(pk=b["chats"])
    assert not channel.is_archived and channel.title == b["chat_title"]
    # B's settings are as they were, and B got no channel and no administrator's link.
    assert not InvitePolicy.objects.filter(organisation=b["org"]).exclude(**POLICY_DEFAULTS).exists()
    assert not Chat.objects.filter(organisation=b["org"], kind=Chat.Kind.EXTRA_CHANNEL).exists()
    assert not b["org"].invites.filter(role="admin").exists() and not b["org"].admin_orders.exists()
    assert ChatMember.objects.filter(
        chat=channel, user_id=b["chat-members"], left_at__isnull=True, muted_at=None
    ).exists()
    assert Message.objects.get(pk=b["messages"]).pinned_at is None
    assert Report.objects.get(pk=b["reports"]).status == Report.Status.OPEN
    assert not Chat.objects.filter(organisation=a["org"]).exclude(pk__in=a["chat_ids"]).exists()
    # B's promotion still waits, B's classes did not move, B's transfer still waits for B.
    assert Promotion.objects.get(pk=b["promotions"]).status == Promotion.Status.QUEUED
    assert Promotion.objects.filter(organisation=b["org"]).count() == 1
    assert OrgTransfer.objects.get(pk=b["transfers"]).status == OrgTransfer.Status.PENDING
    assert b["org"].groups.get(pk=b["groups"]).name == "5А"
    # A member of A moved into B's class is refused.
    resp = client.post(
        f"/api/v1/orgs/{a['org'].pk}/members/{a['members']}/move/",
        {"kind": "transfer", "group": b["groups"]},
        format="json",
    )
    assert resp.status_code == 404, resp.content
    # B's draft and responsible person are as they were.
    draft = DocumentVersion.objects.get(pk=b["policies/versions"])
    assert draft.status == "draft" and draft.content == draft.template_content and not draft.agreements.exists()
    assert not draft.files.exists()
    assert ResponsiblePerson.objects.get(pk=b["policies/responsible"]).valid_to is None
    # B's roster import is still a draft nobody changed.
    draft = RosterImport.objects.get(pk=b["roster"])
    assert draft.status == "draft" and draft.fixes == {} and draft.create_classes == []
    assert not RosterImport.objects.filter(organisation=a["org"]).exclude(pk=a["roster"]).exists()
    # B's acknowledgements are as they were: only its teacher's own.
    assert list(Acknowledgement.objects.filter(version_id=b["acknowledgements"]).values_list("method", flat=True)) == [
        "portal"
    ]


def test_lists_of_a_never_show_b(two_orgs):
    a, b = two_orgs
    client = APIClient()
    client.force_authenticate(a["admin"])
    orgs = client.get("/api/v1/orgs/").json()["results"]
    assert [o["id"] for o in orgs] == [a["org"].pk]
    b_people = set(b["org"].memberships.values_list("user_id", flat=True))
    for path, method, op in operations():
        if method != "get" or "{id}" in path or "{org_pk}" not in path:
            continue
        if "application/json" not in op["responses"]["200"]["content"]:
            continue  # files (kit, export): tests/invites/test_api_kits.py checks whose links they hold
        resp = client.get(fill(path, a["org"].pk, a))
        assert resp.status_code == 200, path
        text = resp.content.decode()
        assert b["org"].short_name not in text
        data = resp.json()
        # Most are lists; «mine» and the user agreement are objects whose people are looked for in their parts; a
        # single resource (the organisation's settings) is read as one row.
        if "results" in data:
            rows = data["results"]
        elif "pending" in data or "acknowledged" in data:
            rows = [*data.get("pending", []), *data.get("acknowledged", [])]
        else:
            rows = [data]
        for row in rows:
            person = row.get("person") or row.get("teacher_person") or row.get("child_person") or {}
            assert person.get("id") not in b_people, path
        if path.endswith(("/invites/", "/join-requests/")):
            resource = path.rstrip("/").rsplit("/", 1)[1]
            assert [row["id"] for row in resp.json()["results"]] == [a[resource]], path


BAD_BODIES = [
    [1, 2, 3],
    "just a string",
    {
        "group": "abc",
        "teacher": [],
        "kind": {"x": 1},
        "grade": "ten",
        "letter": ["А"],
        "reason": None,
        "user": "me",
        "parent": {"id": 1},
        "child": -1,
        "position": 42,
        "subject": "",
        "name": ["x" * 300],
        "academic_year": "2026",
        "starts_on": "вчера",
        "phone": "not a phone",
        "email": "@@",
        "role": "king",
        "last_name": "",
        "first_name": 7,
        "login": {"a": 1},
        "password": [],
        "code": {"x": 1},
        "time_zone": "Mars/Olympus",
        "website": "ftp//nope",
        "short_name": "x" * 1000,
    },
    {"group": 2**63, "teacher": 2**63, "user": 2**63, "child": 2**63, "parent": 2**63, "grade": 10**9},
]
# The cursor is base64 of «p=abc»: a well-formed cursor whose position is not an id.
BAD_QUERY = (
    "?page=abc&page_size=-1&role=king&group=x&verification=1&since=notadate&ordering=password&kind=zz&cursor=cD1hYmM%3D"
)


def _multipart(fields: int) -> bytes:
    parts = [b'--B\r\nContent-Disposition: form-data; name="f%d"\r\n\r\n1\r\n' % i for i in range(fields)]
    return b"".join(parts) + b"--B--\r\n"


MULTIPART = "multipart/form-data; boundary=B"
FIELDS = 20  # DATA_UPLOAD_MAX_NUMBER_FIELDS in these tests: Django's 1000 makes a slow multipart body to send
# Bodies no parser may accept, per content type of the schema: (case, content type, body, declared Content-Length,
# status, a word of the message). A declared length is what a client announces; the body must be refused by it,
# before a byte is read (reading more than was sent would fail the test client). 2**40 bytes is over any limit.
UNPARSEABLE = {
    "application/json": [
        ("deep nesting", "application/json", b"[" * 1100 + b"]" * 1100, None, 400, "вложенность"),
        ("huge array", "application/json", b"[" + b"0," * 600_000 + b"0]", None, 413, "слишком большой"),
        ("huge number", "application/json", b'{"name": ' + b"9" * 5000 + b"}", None, 400, "число"),
        ("invalid UTF-8", "application/json", b'{"name": "\xff\xfe"}', None, 400, "UTF-8"),
        ("duplicate keys", "application/json", b'{"name": "a", "name": "b"}', None, 400, "дважды"),
    ],
    "application/x-www-form-urlencoded": [
        (
            "too many fields",
            "application/x-www-form-urlencoded",
            b"&".join(b"f%d=1" % i for i in range(FIELDS + 1)),
            None,
            400,
            "полей",
        ),
        ("announced huge", "application/x-www-form-urlencoded", b"a=1", 2**40, 413, "слишком большой"),
    ],
    "multipart/form-data": [
        ("too many fields", MULTIPART, _multipart(FIELDS + 1), None, 400, "полей"),
        ("announced huge", MULTIPART, _multipart(1), 2**40, 413, "слишком большой"),
    ],
}


def refusals_of_unparseable_bodies(client, method: str, url: str, op: dict) -> list[str]:
    """Sends each unparseable body the operation's declared content types allow; returns the answers that are not
    the refusal due (its status and a message that says why, in the one error shape)."""
    wrong = []
    for content_type in op["requestBody"]["content"]:
        for case, sent_type, body, declared, status, word in UNPARSEABLE[content_type]:
            forget_tries()  # rate limits of the public endpoints are not what is tested here
            extra = {"CONTENT_LENGTH": str(declared)} if declared else {}
            resp = client.generic(method.upper(), url, body, content_type=sent_type, **extra)
            assert resp.status_code < 500, f"{method.upper()} {url} {case} → {resp.status_code}"
            error = resp.json().get("error") if resp.status_code >= 400 else None
            if resp.status_code == status and error and word.lower() in error["message"].lower():
                assert set(error) == {"code", "message", "fields"}, (url, case, error)
                continue
            wrong.append(
                f"{method.upper()} {url} {case}: {resp.status_code} {resp.content[:100].decode(errors='replace')}"
            )
    return wrong


def test_malformed_input_never_gets_a_500(two_orgs, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = FIELDS
    a, _ = two_orgs
    # A's administrator is also the methodologist of its municipality, so that those endpoints read what they get.
    methodologist_attach(area=Area.objects.get(pk=a["areas"]), user=a["admin"])
    client = APIClient(raise_request_exception=True)
    client.force_authenticate(a["admin"])
    seen, wrong = 0, []
    for path, method, op in operations():
        url = fill(path, a["org"].pk, a)
        if method == "get":
            resp = client.get(url + BAD_QUERY)
            assert resp.status_code < 500, f"GET {url} → {resp.status_code}"
            if resp.status_code >= 400:
                assert set(resp.json()["error"]) >= {"code", "message", "fields"}
            seen += 1
            continue
        if "requestBody" in op:
            wrong += refusals_of_unparseable_bodies(client, method, url, op)
        for body in BAD_BODIES:
            forget_tries()
            resp = getattr(client, method)(url, body, format="json")
            assert resp.status_code < 500, f"{method.upper()} {url} {body!r:.60} → {resp.status_code}"
            if resp.status_code >= 400:
                err = resp.json()["error"]
                assert err["message"] and err["code"], (url, err)
            seen += 1
        if "requestBody" not in op or method == "delete":
            continue
        resp = client.generic(method.upper(), url, "{not json", content_type="application/json")
        assert resp.status_code in (400, 401, 403, 404, 405, 409, 415, 429), f"{method.upper()} {url} broken json"
        if method in ("post", "patch") and resp.status_code == 400:
            assert resp.json()["error"]["message"]
    assert seen > 50
    assert not wrong, "\n".join(wrong)


def test_malformed_input_anonymous_public_endpoints(settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = FIELDS
    client = APIClient(raise_request_exception=True)
    public = {"/api/v1/auth/token/", "/api/v1/auth/code/", "/api/v1/auth/code/verify/", "/api/v1/registrations/"}
    walked, wrong = set(), []
    for url, method, op in operations():
        if url not in public or method != "post":
            continue
        for body in BAD_BODIES:
            forget_tries()
            resp = client.post(url, body, format="json")
            assert 400 <= resp.status_code < 500, (url, body, resp.status_code)
            assert resp.json()["error"]["message"]
        wrong += refusals_of_unparseable_bodies(client, method, url, op)
        walked.add(url)
    assert walked == public
    assert not wrong, "\n".join(wrong)


def test_operator_sees_other_orgs_only_via_registrations():
    UserFactory(is_superuser=True, is_staff=True)
    org = OrganisationFactory()
    admin_of(org)
    member(org, "teacher")
    assert org.memberships.count() == 2
