"""Security headers on every page of the site (the cookies behind HTTPS: tests/test_https_cookies.py).

The walk resolves every URL pattern of the URL conf (like a sitemap), fills its arguments with the objects of a
seeded organisation and opens it as that organisation's administrator (the operator for /admin/). Every response
carries the CSP, nosniff, the referrer policy and the frame denial; every HTML page is free of what the CSP would
block (inline scripts, event handler attributes, inline styles), so the page works as it did before the CSP, and
loads nothing from another host.
"""

import io
import re
from datetime import date
from html.parser import HTMLParser

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from chats.models import Chat
from chats.services.manage import chat_create
from chats.services.messages import message_post
from chats.services.moderation import report_create
from chats.services.polls import poll_create
from invites.services.links import invite_create
from orgs.models import (
    CuratorAssignment,
    Membership,
    Organisation,
    ParentLink,
    TeachingAssignment,
)
from orgs.movement_models import OrgTransfer, Promotion
from policies.services.content import rule_set_ensure
from policies.services.documents import version_create
from policies.services.responsible import responsible_add
from portal.accounts.models import AccessReport, User, UserSession
from roster.models import KitPrint
from roster.services.imports import roster_import_create
from safety.models import Incident
from stats.services.areas import area_get_or_create, methodologist_attach
from tests.factories import (
    OrganisationFactory,
    UserFactory,
    admin_of,
)
from tests.school import application as new_application
from tests.school import mailing as new_mailing
from tests.school import meeting, school
from tests.test_offline_assets import external_assets
from tests.test_outage import database_down

pytestmark = pytest.mark.django_db

POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "object-src": {"'none'"},
    "base-uri": {"'none'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}
# DRF's browsable API (what a browser gets from /api/v1/) may keep its inline styles, and nothing more.
BROWSABLE_API = {**POLICY, "style-src": {"'self'", "'unsafe-inline'"}}
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# Pages that must be among the HTML pages answered 200: the ones with scripts, and a few of each app.
MUST_RENDER = {
    "chats:chat",  # refreshes its messages every 5 s
    "chats:create",  # the member picker
    "chats:members_add",  # the member picker
    "invites:detail",  # the copy button
    "invites:chat",  # the copy button and a QR code as a data: image
    "invites:mailing",  # the mailing progress
    "orgs:structure",
    "chats:event",
    "orgs:people",
    "accounts:login",
    "api-docs",
    "admin:index",
    "admin:orgs_registrationapplication_change",
    "admin:orgs_organisation_changelist",
    "accounts:sessions",
    "accounts:password_change",
    "accounts:access_report",
    "safety:incidents",
    "safety:help",
    "group-list",  # the browsable API
    "invite-mailing-detail",
    "chat-detail",
    "roster:home",
    "roster:import",  # the preview
    "roster:row",
}


def parse_csp(header: str) -> dict[str, set[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = set(values)
    return directives


def seed(kind: str = "school") -> dict:
    s = school(kind)
    org, cls, admin, teacher, kid = s.org, s.cls, s.admin, s.teacher, s.kid
    invite, token, join_request = s.invite, s.token, s.join_request
    chat = chat_create(organisation=org, actor=admin, kind=Chat.Kind.OTHER, title="Родком", member_ids=[teacher.pk])
    invite_create(organisation=org, actor=admin, role="teacher", target_chat=chat, max_uses=25)
    poll = poll_create(chat=chat, actor=admin, question="Вопрос?", options=["Да", "Нет"])
    png = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 0, 255)).save(png, "PNG")
    photo = SimpleUploadedFile("photo.png", png.getvalue(), content_type="image/png")
    message = message_post(chat=chat, actor=admin, text="Объявление", files=[photo])
    report = report_create(message=message, actor=teacher, reason="spam")
    event = meeting(s, chat)
    application = new_application()
    mailing = new_mailing(s)
    operator = User.objects.create_superuser(phone="+79000000001", email="op@example.org", password="x")
    member = Membership.objects.get(organisation=org, user=kid)
    # A report of unauthorised access by the teacher: an incident in the administrators' queue.
    incident = Incident.objects.create(
        organisation=org, report=AccessReport.objects.create(user=teacher, ended={"sessions": []}), person=teacher
    )
    # A session of the administrator's own, listed on the sessions page.
    own_session = UserSession.objects.create(user=admin, session_key="walk-session", user_agent="curl/8.5.0")
    # The administrator is also the municipality's methodologist: the area's pages are walked as they render.
    area = area_get_or_create(region=org.region, municipality=org.municipality)
    methodologist_attach(area=area, user=admin)
    version = version_create(organisation=org, kind="regulation", actor=admin)
    rule_set_ensure(org.pk)  # the regulation's services, seeded on first use
    rule = org.forbidden_services.order_by("pk").first()
    responsible = responsible_add(
        organisation=org,
        actor=admin,
        person=teacher,
        duty="platform",
        position=str(org.vocabulary.teacher),
        valid_from=date(2026, 9, 1),
    )
    # The file's own headers are echoed in the column mapping: a college's e-journal names its column «Группа».
    group_header = "Класс" if kind == "school" else "Группа"
    roster = roster_import_create(
        organisation=org,
        actor=admin,
        kind="students",
        file_name="5А.csv",
        data=f"Фамилия;Имя;{group_header}\r\nНовиков;Пётр;{cls.name}\r\nОрлов;Олег;9Я\r\n".encode("cp1251"),
    )
    # The kits of that import being printed by their job.
    kit_print = KitPrint.objects.create(
        organisation=org, source=roster, sections=[cls.pk], total=1, status="running", created_by=admin
    )
    # A promotion waiting for its job, and a transfer from another school waiting for this one's decision.
    promotion = Promotion.objects.create(
        organisation=org, from_year=cls.academic_year, to_year_name="2027/2028", created_by=admin
    )
    transfer = OrgTransfer.objects.create(
        source=OrganisationFactory(), target=org, user=UserFactory(), role="student", requested_by=admin
    )
    # Arguments by name; "pk" and "id" of the API depend on the resource: the longest key that starts the route's
    # name ("invite-mailing-detail" is a mailing, "invite-detail" an invite, "chat-members" a chat).
    return {
        "admin": admin,
        "operator": operator,
        "school": s,
        "args": {
            "org_id": org.pk,
            "org_pk": org.pk,
            "group_id": cls.pk,
            "chat_id": chat.pk,
            "message_id": message.pk,
            "mid": message.pk,
            "poll_id": poll.pk,
            "pid": poll.pk,
            "attachment_id": message.attachments.get().pk,
            "user_id": teacher.pk,
            "child_id": kid.pk,  # not an account the parent manages: the child's sign-in page answers 404
            "event_id": event.pk,
            "report_id": report.pk,
            "rid": report.pk,
            "invite_id": invite.pk,
            "mailing_id": mailing.pk,
            "request_id": join_request.pk,
            "token": token,
            "kind": "division",
            "action": "revoke",
            "fmt": "xlsx",
            "content_type_id": ContentType.objects.get_for_model(Organisation).pk,
            "area_id": area.pk,
            "incident_id": incident.pk,
            "session_id": own_session.pk,
            "version_id": version.pk,
            "campaign_id": version.pk,  # acknowledging is a POST: the walk's GET meets 405
            "responsible_id": responsible.pk,
            "rule_id": rule.pk,
            "key": "access",
            "import_id": roster.pk,
            "job_id": kit_print.pk,
            "promotion_id": promotion.pk,
            "number": 3,
        },
        "ids": {
            "group": cls.pk,
            "member": member.pk,
            "curator": CuratorAssignment.objects.get(organisation=org).pk,
            "teaching": TeachingAssignment.objects.get(organisation=org).pk,
            "parent-link": ParentLink.objects.get(organisation=org).pk,
            "registration": application.pk,
            "chat": chat.pk,
            "event": event.pk,
            "invite": invite.pk,
            "join-request": join_request.pk,
            "own-join-request": join_request.pk,
            "invite-mailing": mailing.pk,
            "org": org.pk,
            "area": area.pk,
            "incident": incident.pk,
            "session": own_session.pk,
            "policy-version": version.pk,
            "acknowledgement": version.pk,
            "policy-responsible": responsible.pk,
            "content-rule": rule.pk,
            "roster-import": roster.pk,
            "promotion": promotion.pk,
            "transfer": transfer.pk,
        },
    }


def routes(patterns=None, namespace="", arg_names=()):
    """(full name, argument names, pattern) of every URL pattern, the included ones too."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        names = (*arg_names, *entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from routes(entry.url_patterns, inner, names)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}{entry.name}" if entry.name else None), names, entry


def admin_object(name, entry, seeded) -> str:
    """The first row of the admin page's model; "0" (the admin redirects to its index) for a model without rows."""
    if name == "admin:view_on_site":
        return str(seeded["ids"]["org"])
    if not hasattr(entry.callback, "model_admin"):  # the approve and reject pages of a registration application
        return str(seeded["ids"]["registration"])
    row = entry.callback.model_admin.model._default_manager.order_by("pk").first()
    return str(row.pk) if row else "0"


def arguments(name: str, names, entry, seeded) -> dict:
    args = {}
    for arg in names:
        if arg == "id" and name.startswith("admin:"):  # the user admin's password page
            args[arg] = seeded["admin"].pk
        elif arg in ("pk", "object_id") and name.startswith("admin:"):
            args[arg] = admin_object(name, entry, seeded)
        elif arg in ("pk", "id") and not name.startswith(("chats:", "invites:", "orgs:")):
            resources = [key for key in seeded["ids"] if name.startswith(f"{key}-")]
            args[arg] = seeded["ids"][max(resources, key=len)] if resources else None
        elif arg == "app_label":
            args[arg] = "orgs"
        else:
            args[arg] = seeded["args"].get(arg)
        assert args[arg] is not None, f"{name}: no seeded value for the argument «{arg}»"
    return args


class InlineCode(HTMLParser):
    """What a strict CSP blocks in a page: inline scripts, on* handler attributes, style elements and attributes."""

    def __init__(self, *, inline_styles_allowed=False):
        super().__init__()
        self.found = []
        self.inline_styles_allowed = inline_styles_allowed

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src") and attrs.get("type") != "application/json":
            self.found.append("<script> without src")
        if tag == "style" and not self.inline_styles_allowed:
            self.found.append("<style>")
        self.found += [f"{tag} {a}=" for a in attrs if a.startswith("on")]
        if "style" in attrs and not self.inline_styles_allowed:
            self.found.append(f"{tag} style=")


def walk(seeded):
    """Yield (name, url, response) for every named route, GET by a browser signed in as the administrator
    (the operator for /admin/)."""
    clients = {}
    for who in ("admin", "operator"):
        clients[who] = Client(raise_request_exception=False)
        clients[who].force_login(seeded[who])
    for name, names, entry in routes():
        if name is None:  # the admin's catch-all, which answers every path the admin does not know
            continue
        url = reverse(name, kwargs=arguments(name, names, entry, seeded))
        client = clients["operator" if name.startswith("admin:") else "admin"]
        yield name, url, client.get(url, HTTP_ACCEPT=BROWSER_ACCEPT)


def problems_of(name: str, url: str, response) -> list[str]:
    html = response.get("Content-Type", "").startswith("text/html")
    browsable = html and url.startswith("/api/v1/")
    expected = BROWSABLE_API if browsable else POLICY
    csp = parse_csp(response.headers.get("Content-Security-Policy", ""))
    problems = [f"CSP {csp}, not {expected}"] if csp != expected else []
    if response.headers.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if response.headers.get("Referrer-Policy") != "same-origin":
        problems.append(f"Referrer-Policy {response.headers.get('Referrer-Policy')}")
    if response.headers.get("X-Frame-Options") != "DENY":
        problems.append(f"X-Frame-Options {response.headers.get('X-Frame-Options')}")
    if response.status_code >= 500:
        problems.append(f"status {response.status_code}")
    if html:
        parser = InlineCode(inline_styles_allowed=browsable)
        parser.feed(response.content.decode())
        problems += parser.found
        problems += [f"loads {url} from another host" for url in external_assets(response.content.decode())]
    return [f"{url} ({name}): {problem}" for problem in problems]


def test_every_response_carries_the_security_headers_and_html_pages_have_no_inline_code():
    rendered, problems = set(), []
    for name, url, response in walk(seed()):
        problems += problems_of(name, url, response)
        if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            rendered.add(name)
    assert not problems, "\n".join(problems)
    assert MUST_RENDER <= rendered, f"not rendered: {MUST_RENDER - rendered}"
    assert len(rendered) > 60


def test_the_page_shown_while_the_database_is_down_keeps_the_headers_and_has_no_inline_code():
    client = Client(raise_request_exception=False)
    client.force_login(admin_of(OrganisationFactory()))
    with database_down():
        response = client.get("/", HTTP_ACCEPT=BROWSER_ACCEPT)
    assert response.status_code == 503
    assert problems_of("outage", "/", response) == ["/ (outage): status 503"]  # the 503 itself, nothing more
    assert '<link rel="stylesheet" href="/static/css/unavailable.css">' in response.content.decode()


def test_the_api_docs_script_is_a_file_the_csp_allows():
    """Swagger UI starts from a script served by the portal, with its assets from the portal's static files."""
    client = Client()
    client.force_login(UserFactory())
    page = client.get("/api/docs/").content.decode()
    sources = re.findall(r'<script src="([^"]+)"', page)
    assert sources and all(src.startswith("/") for src in sources), sources
    assert any(src.startswith("/static/drf_spectacular_sidecar/") for src in sources)
    script = client.get(next(src for src in sources if "script" in src.split("?")[-1]))
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle(" in script.content
