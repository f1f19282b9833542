"""Limits a person or a client program meets: request bodies per endpoint (413 with the limit in Russian), the
shape of JSON the API accepts, the largest page, the longest search, and oversized browser forms.

tests/orgs/test_api_walk.py sends the unparseable bodies to every operation of the schema; this module checks the
limits themselves: where they lie, what the message says, that what is just under a limit still passes.
"""

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from chats.models import Chat, Message
from chats.services.sync import chats_sync_organisation
from orgs.models import AuditEntry
from tests.factories import ClassFactory, OrganisationFactory, admin_of, student_in

TOKEN = "/api/v1/auth/token/"


def too_large(size: str) -> str:
    return f"Запрос слишком большой: сюда можно отправить не больше {size}."


@pytest.fixture
def school(db):
    org = OrganisationFactory()
    admin = admin_of(org)
    student_in(ClassFactory(organisation=org, grade=5, letter="А", name="5А"))
    chats_sync_organisation(organisation=org)
    client = APIClient()
    client.force_authenticate(admin)
    return {
        "org": org,
        "admin": admin,
        "api": client,
        "channel": Chat.objects.get(organisation=org, kind="general_channel"),
    }


# --- bodies ---------------------------------------------------------------------------------------------------------


def test_a_json_body_over_the_default_limit_is_refused_with_413_before_the_endpoint_runs(db, settings):
    client = APIClient()
    limit = settings.API_BODY_MAX_BYTES
    assert limit == 1024 * 1024
    padding = "x" * (limit - len(b'{"login": "a@example.org", "password": "x", "note": ""}'))
    at_limit = f'{{"login": "a@example.org", "password": "x", "note": "{padding}"}}'.encode()
    assert len(at_limit) == limit

    resp = client.generic("POST", TOKEN, at_limit + b" ", content_type="application/json")
    assert resp.status_code == 413
    assert resp.json() == {"error": {"code": "too_large", "message": too_large("1,0\xa0МБ"), "fields": {}}}

    resp = client.generic("POST", TOKEN, at_limit, content_type="application/json")
    assert resp.status_code == 400  # parsed: a wrong login, not a refused body
    assert resp.json()["error"]["code"] == "invalid_credentials"


def test_the_json_limit_is_configurable_and_holds_for_forms_too(db, settings):
    settings.API_BODY_MAX_BYTES = 2048
    client = APIClient()
    resp = client.post(TOKEN, {"login": "a", "password": "x" * 2100}, format="json")
    assert resp.status_code == 413
    assert resp.json()["error"]["message"] == too_large("2,0\xa0КБ")
    resp = client.generic("POST", TOKEN, "login=a&password=" + "x" * 2100, "application/x-www-form-urlencoded")
    assert resp.status_code == 413
    resp = client.post(TOKEN, {"login": "a", "password": "x" * 1900}, format="json")
    assert resp.status_code == 400


def test_an_upload_endpoint_takes_its_files_limits_and_json_to_it_the_body_limit(school, settings):
    settings.CHAT_ATTACHMENT_MAX_BYTES = {"photo": 2048, "audio": 2048, "video": 2048, "document": 2048}
    settings.CHAT_ATTACHMENTS_PER_MESSAGE = 2
    settings.API_BODY_MAX_BYTES = 2048  # the whole message: 2 × 2 KiB of files + 2 KiB of text = 6 KiB
    api, url = school["api"], f"/api/v1/chats/{school['channel'].pk}/messages/"
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

    big = SimpleUploadedFile("big.pdf", pdf + b" " * 7000)
    resp = api.post(url, {"text": "Файл", "files": [big]}, format="multipart")
    assert resp.status_code == 413
    assert resp.json()["error"]["message"] == too_large("6,0\xa0КБ")
    # Under the body limit, a file over the limit of its kind gets the message of its kind.
    resp = api.post(url, {"files": [SimpleUploadedFile("mid.pdf", pdf + b" " * 3000)]}, format="multipart")
    assert resp.status_code == 400
    assert "документы — не более 2" in resp.json()["error"]["message"]
    resp = api.post(url, {"text": "ы" * 1100}, format="json")  # 2.2 KB of JSON: over the body limit
    assert resp.status_code == 413
    assert resp.json()["error"]["message"] == too_large("2,0\xa0КБ")
    assert not Message.objects.filter(chat=school["channel"], author=school["admin"]).exists()
    resp = api.post(url, {"text": "Привет", "files": [SimpleUploadedFile("a.pdf", pdf)]}, format="multipart")
    assert resp.status_code == 201, resp.content


def test_the_registration_form_takes_the_order_file_limit(db, settings):
    settings.REGISTRATION_ORDER_MAX_BYTES = 4096
    settings.API_BODY_MAX_BYTES = 2048
    order = SimpleUploadedFile("order.pdf", b"%PDF-1.4\n" + b" " * 7000)
    resp = APIClient().post("/api/v1/registrations/", {"short_name": "Школа", "order_file": order}, format="multipart")
    assert resp.status_code == 413
    assert resp.json()["error"]["message"] == too_large("6,0\xa0КБ")


class EchoView(APIView):
    authentication_classes = []
    permission_classes = []

    def post(self, request):
        return Response({"data": request.data})


def echo(body: bytes):
    request = APIRequestFactory().generic("POST", "/echo/", body, content_type="application/json")
    resp = EchoView.as_view()(request)
    return resp.status_code, resp.data["data"] if resp.status_code == 200 else resp.data["error"]["message"]


def nested(depth: int, inner: bytes = b"1") -> bytes:
    return b'{"a": ' * (depth - 1) + b"[" + inner + b"]" + b"}" * (depth - 1)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (nested(32), 200),
        (nested(33), 400),
        (b"[" * 40 + b"]" * 39, 400),  # unclosed: the parser would descend all the same
        # Brackets and escaped quotes inside strings do not count.
        (b'["' + b"[" * 100 + b'", "\\"' + b"{" * 100 + b'"]', 200),
        (nested(30, b'"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", ' + b"[" * 5 + b"1" + b"]" * 5), 400),
    ],
    ids=["32 levels", "33 levels", "unclosed", "brackets in strings", "closing brackets in a string"],
)
def test_nesting_is_measured_outside_strings(body, status):
    code, message = echo(body)
    assert code == status, message
    if status == 400:
        assert message == "Слишком глубокая вложенность данных: не больше 32 уровней."


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b'{"n": ' + b"9" * 50 + b"}", {"n": int("9" * 50)}),
        (b'{"n": "' + b"9" * 5000 + b'"}', {"n": "9" * 5000}),  # a long number inside a string is text
        (b'{"n": 1e308}', {"n": 1e308}),
        (b'{"n": ' + b"9" * 51 + b"}", "Слишком длинное число: не больше 50 цифр."),
        (b'{"n": 1e999}', "Число вне допустимого диапазона."),
        (b'{"n": NaN}', "Значение NaN в JSON не допускается."),
        (b'{"a": 1, "b": {"c": 1, "c": 2}}', "Поле «c» указано в запросе дважды."),
        (b'{"a": "\xd0"}', "Тело запроса должно быть в кодировке UTF-8."),
        (b'{"a": 1,}', "Тело запроса — не JSON: ошибка в строке 1, позиция 9."),
    ],
    ids=[
        "50 digits",
        "digits in a string",
        "1e308",
        "51 digits",
        "1e999",
        "NaN",
        "repeated key",
        "not UTF-8",
        "not JSON",
    ],
)
def test_what_json_the_api_takes(body, expected):
    code, data = echo(body)
    assert (code, data) == ((200, expected) if isinstance(expected, dict) else (400, expected))


# --- pages and searches ---------------------------------------------------------------------------------------------


def test_page_size_is_capped_for_pages_and_for_the_message_cursor(school):
    org, api, channel = school["org"], school["api"], school["channel"]
    AuditEntry.objects.bulk_create(AuditEntry(organisation=org, action="test.entry") for _ in range(501))
    Message.objects.bulk_create(Message(chat=channel, author=school["admin"], text="м") for _ in range(201))

    page = api.get(f"/api/v1/orgs/{org.pk}/audit/?action=test.&page_size=100000").json()
    assert page["count"] == 501 and len(page["results"]) == 500 and page["next"]
    page = api.get(f"/api/v1/chats/{channel.pk}/messages/?page_size=100000").json()
    assert len(page["results"]) == 200 and page["next"]
    # A cursor is base64 of «o=…&p=…»; one made by hand with a position that is not an id is a damaged cursor.
    resp = api.get(f"/api/v1/chats/{channel.pk}/messages/", {"cursor": base64.b64encode(b"p=1.5").decode()})
    assert resp.status_code == 404
    assert resp.json()["error"]["message"] == "Не найдено."


def test_search_and_text_filters_longer_than_the_limit_are_refused_not_cut(school, settings):
    org, api = school["org"], school["api"]
    members = f"/api/v1/orgs/{org.pk}/members/"
    assert api.get(members, {"search": "я" * 100}).status_code == 200

    resp = api.get(members, {"search": "я" * 101})
    assert resp.status_code == 400
    assert resp.json()["error"]["fields"] == {"search": ["Не длиннее 100 символов (сейчас 101)."]}
    resp = api.get(members, {"search": " ".join(["я"] * 11)})
    assert resp.json()["error"]["fields"] == {"search": ["Не больше 10 слов."]}
    resp = api.get(f"/api/v1/orgs/{org.pk}/audit/", {"action": "x" * 101})
    assert resp.json()["error"]["fields"] == {"action": ["Не длиннее 100 символов (сейчас 101)."]}
    # The public organisation search refuses too, instead of searching for the first 100 characters.
    resp = APIClient().get("/api/v1/orgs/search/", {"q": "Школа" * 30})
    assert resp.status_code == 400
    assert resp.json()["error"]["message"] == "Проверьте введённые данные. Не длиннее 100 символов (сейчас 150)."
    # An endpoint without search ignores the parameter.
    assert api.get(f"/api/v1/orgs/{org.pk}/events/", {"search": "я" * 500}).status_code == 200

    settings.API_SEARCH_MAX_LENGTH = 200
    assert api.get(members, {"search": "я" * 150}).status_code == 200


# --- browser forms --------------------------------------------------------------------------------------------------


def test_an_oversized_browser_form_gets_a_page_that_names_the_limit(client, db, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 20
    url = reverse("accounts:login")

    resp = client.post(url, "login=a&password=" + "x" * 3000, content_type="application/x-www-form-urlencoded")
    assert resp.status_code == 413
    assert "Слишком большой запрос: в форме можно отправить не больше 2,0\xa0КБ текста." in resp.content.decode()

    fields = {f"f{i}": "1" for i in range(21)}
    resp = client.post(url, fields)  # multipart, as a browser sends a form with files
    assert resp.status_code == 400
    assert "Слишком много полей или файлов в форме: не больше 20 полей" in resp.content.decode()
