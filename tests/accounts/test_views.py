import re

import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _code(outbox) -> str:
    return re.search(r"\b(\d{6})\b", outbox[-1]["text"]).group(1)


def test_sign_in_with_phone_and_password_lands_on_home(client):
    user = UserFactory(phone="+79001112233")
    response = client.post(reverse("accounts:login"), {"identifier": "8 900 111-22-33", "password": "pass-Word-123"})
    assert response.status_code == 302
    assert response["Location"] == reverse("orgs:home")
    assert int(client.session["_auth_user_id"]) == user.pk


def test_sign_in_by_email_with_wrong_password_says_so_in_russian(client):
    UserFactory(email="teacher@example.org")
    response = client.post(reverse("accounts:login"), {"identifier": "teacher@example.org", "password": "nope"})
    assert response.status_code == 200
    assert "Неверный телефон, e-mail или пароль." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_in_follows_a_safe_next_only(client):
    UserFactory(phone="+79001112234")
    data = {"identifier": "+79001112234", "password": "pass-Word-123"}
    response = client.post(reverse("accounts:login"), {**data, "next": "https://evil.example/"})
    assert response["Location"] == reverse("orgs:home")


def test_sign_in_with_a_one_time_code(client, sms_outbox, django_capture_on_commit_callbacks):
    user = UserFactory(phone="+79001112235")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:login_code"), {"identifier": "+7 (900) 111-22-35"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login_code_verify")
    assert sms_outbox and sms_outbox[-1]["phone"] == "+79001112235"
    response = client.post(reverse("accounts:login_code_verify"), {"code": _code(sms_outbox)})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


def test_a_wrong_code_is_refused(client, sms_outbox, django_capture_on_commit_callbacks):
    UserFactory(phone="+79001112236")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:login_code"), {"identifier": "+79001112236"})
    wrong = "000000" if _code(sms_outbox) != "000000" else "111111"
    response = client.post(reverse("accounts:login_code_verify"), {"code": wrong})
    assert "Неверный код." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_code_sign_in_does_not_reveal_whether_an_account_exists(client, sms_outbox, django_capture_on_commit_callbacks):
    UserFactory(phone="+79001112237")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("accounts:login_code"), {"identifier": "+79001112237"}, follow=True)
        client.logout()
        unknown = client.post(reverse("accounts:login_code"), {"identifier": "+79001119999"}, follow=True)
    assert len(sms_outbox) == 1  # nobody is sent an SMS for an account that does not exist
    strip = re.compile(r"\+7\d{10}|csrfmiddlewaretoken\" value=\"[^\"]+\"")
    assert strip.sub("", known.content.decode()) == strip.sub("", unknown.content.decode())
    response = client.post(reverse("accounts:login_code_verify"), {"code": "123456"})
    assert "Неверный код." in response.content.decode()


def test_code_requests_over_the_limit_show_a_message_not_an_error(client, settings, sms_outbox):
    settings.OTP_MAX_PER_HOUR = 2
    UserFactory(phone="+79001112238")
    for _ in range(2):
        client.post(reverse("accounts:login_code"), {"identifier": "+79001112238"})
    response = client.post(reverse("accounts:login_code"), {"identifier": "+79001112238"})
    assert response.status_code == 200
    assert "Коды запрашивались слишком часто" in response.content.decode()


def test_code_limits_read_the_same_for_an_address_without_an_account(client, settings, monkeypatch):
    monkeypatch.setattr("portal.accounts.services.secrets.randbelow", lambda _: 123456)  # so 000000 is wrong
    settings.OTP_MAX_PER_HOUR = 2
    settings.OTP_MAX_ATTEMPTS = 2
    UserFactory(phone="+79001112239")

    def pages(identifier):
        seen = [client.post(reverse("accounts:login_code"), {"identifier": identifier}) for _ in range(3)]
        seen += [client.post(reverse("accounts:login_code_verify"), {"code": "000000"}) for _ in range(3)]
        client.logout()
        return [
            (r.status_code, "слишком часто" in r.content.decode(), "неверных попыток" in r.content.decode())
            for r in seen
        ]

    known, unknown = pages("+79001112239"), pages("+79001119998")
    assert known == unknown
    assert [limited for _, limited, _ in known] == [False, False, True, False, False, False]
    assert [attempts for _, _, attempts in known] == [False, False, False, False, False, True]


def test_malformed_identifier_gets_a_russian_field_error(client):
    response = client.post(reverse("accounts:login_code"), {"identifier": "not a login"})
    assert response.status_code == 200
    assert "Укажите номер телефона или адрес электронной почты." in response.content.decode()


def test_sign_out_is_a_post(client):
    client.force_login(UserFactory())
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_login_page_is_russian_with_landmarks(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="ru">' in html
    assert '<main id="main"' in html and "Перейти к содержанию" in html
    assert '<label for="id_identifier">Телефон или e-mail' in html
