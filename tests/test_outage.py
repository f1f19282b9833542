"""A database that stops answering: pages and the API give a clean 503 in Russian, then work again by themselves.

The failure is simulated by making every new query of the connection fail with OperationalError, as psycopg does
while PostgreSQL restarts; tests/faults/test_postgres_restart.py does it with a real server.
"""

from contextlib import contextmanager

import pytest
from django.db import InterfaceError, OperationalError, connection
from django.test import Client
from django.urls import reverse

from portal.outage import MESSAGE
from tests.factories import OrganisationFactory, admin_of

pytestmark = pytest.mark.django_db


@contextmanager
def database_down(error=OperationalError):
    """Every query fails as while the server restarts; the connection works again on leaving."""
    original = connection.ensure_connection

    def refuse():
        raise error("connection to server at 127.0.0.1 failed: Connection refused")

    connection.ensure_connection = refuse
    try:
        yield
    finally:
        connection.ensure_connection = original


@pytest.fixture
def admin_client():
    org = OrganisationFactory()
    client = Client(raise_request_exception=False)
    client.force_login(admin_of(org))
    return client, org


def _assert_clean_page(response):
    html = response.content.decode()
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert response["Retry-After"] == "10"
    assert "Портал временно недоступен" in html
    assert MESSAGE in html
    assert "Traceback" not in html and "OperationalError" not in html


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_page_is_a_russian_503_while_the_database_is_down_and_works_after(admin_client, error):
    client, org = admin_client
    url = reverse("orgs:org_home", args=[org.pk])
    with database_down(error):
        response = client.get(url)
    _assert_clean_page(response)
    assert '<meta http-equiv="refresh" content="10">' in response.content.decode()
    assert client.get(url).status_code == 200


def test_form_sent_while_the_database_is_down_is_not_reloaded_behind_the_person(admin_client):
    client, org = admin_client
    with database_down():
        response = client.post(reverse("orgs:profile_edit", args=[org.pk]), {"short_name": "Школа"})
    _assert_clean_page(response)
    html = response.content.decode()
    assert "http-equiv" not in html
    assert "отправьте форму ещё раз" in html


def test_api_gives_the_error_shape_with_503(admin_client):
    client, _org = admin_client
    with database_down():
        response = client.get("/api/v1/orgs/")
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert response.json() == {"error": {"code": "database_unavailable", "message": MESSAGE, "fields": {}}}
    assert client.get("/api/v1/orgs/").status_code == 200


class _SessionLoadFails:
    """A middleware that reaches the database before any view runs (as loading a session does)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise OperationalError("server closed the connection unexpectedly")


@pytest.mark.parametrize(("path", "json"), [("/", False), ("/api/v1/orgs/", True)])
def test_failure_outside_a_view_is_the_same_503(settings, path, json):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE[:3], f"{__name__}._SessionLoadFails", *settings.MIDDLEWARE[3:]]
    response = Client(raise_request_exception=False).get(path)
    if json:
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "database_unavailable"
    else:
        _assert_clean_page(response)


class _Boom(_SessionLoadFails):
    def __call__(self, request):
        raise RuntimeError("boom")


def test_other_server_errors_stay_500(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE[:3], f"{__name__}._Boom", *settings.MIDDLEWARE[3:]]
    response = Client(raise_request_exception=False).get("/")
    assert response.status_code == 500
    assert "Внутренняя ошибка сервера" in response.content.decode()


def test_a_job_that_lost_the_database_is_retried_not_lost(monkeypatch):
    from portal.accounts import tasks

    calls = []

    def purge():
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return 3

    monkeypatch.setattr(tasks, "otp_purge_expired", purge)
    result = tasks.purge_expired_codes.apply()
    assert result.successful() and result.get() == 3
    assert len(calls) == 2
