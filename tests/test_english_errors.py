"""The portal's own errors (sign-in, the request body, the default messages of the error hierarchy) read in English
for a member who chose English in the footer, in the API's one error shape."""

import pytest
from django.conf import settings
from django.utils import translation
from rest_framework.test import APIClient

from portal.api.errors import exception_handler
from portal.exceptions import NotFound, PermissionDenied, RateLimited

TOKEN = "/api/v1/auth/token/"


@pytest.fixture
def english(db) -> APIClient:
    client = APIClient()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_a_wrong_password_and_a_broken_body_are_refused_in_english(english):
    r = english.post(TOKEN, {"login": "nobody@example.org", "password": "wrong"}, format="json")
    assert r.status_code == 400
    assert r.json()["error"] == {"code": "invalid_credentials", "message": "Wrong login or password.", "fields": {}}

    r = english.generic("POST", TOKEN, b'{"login": ', content_type="application/json")
    assert r.status_code == 400
    assert r.json()["error"]["message"] == "The request body is not JSON: error at line 1, position 11."


def test_an_anonymous_request_is_asked_to_sign_in_in_english_and_in_russian_without_the_choice(english):
    r = english.get("/api/v1/auth/sessions/")
    assert r.status_code in (401, 403)
    assert r.json()["error"]["message"] == "Please sign in."
    r = APIClient().get("/api/v1/auth/sessions/")
    assert r.json()["error"]["message"] == "Войдите в систему."


def test_a_default_message_is_read_in_the_language_of_the_request_and_kept_as_text():
    with translation.override("en"):
        missing, denied = NotFound(), PermissionDenied()
        response = exception_handler(RateLimited(), {})
    with translation.override("ru"):
        russian = NotFound()
    # Read once when raised: a plain string, serialised and compared as such whatever language is active later.
    assert type(missing.message) is str and missing.message == "Not found." and str(missing) == "Not found."
    assert denied.message == "You do not have permission to do this."
    assert response.data["error"]["message"] == "Too many attempts. Please try again later."
    assert type(response.data["error"]["message"]) is str
    assert russian.message == "Не найдено."


def test_a_missing_page_says_so_in_english_on_the_page_and_in_the_api(english, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and "Page not found." in page.content.decode()
    r = english.get("/api/v1/no-such-endpoint/")
    assert r.status_code == 404
    assert r.json()["error"] == {"code": "not_found", "message": "Page not found.", "fields": {}}
