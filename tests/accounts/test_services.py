"""Accounts as a person notices them: phone forms, password sign-in, one-time codes."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from portal.accounts.models import OneTimeCode, User
from portal.accounts.phones import normalize_phone
from portal.accounts.services import otp_purge_expired, otp_request, otp_verify, user_create
from portal.exceptions import RateLimited, RuleViolation
from portal.ratelimit import limiter
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pass-Word-123"


def _code_from(text: str) -> str:
    return re.search(r"\b(\d{6})\b", text).group(1)


def _request_sms(capture, identifier="+79123456789") -> str:
    """Request a code by SMS and return the six digits the person received."""
    from portal.accounts.senders import OutboxSmsSender

    with capture(execute=True):
        otp_request(identifier=identifier)
    return _code_from(OutboxSmsSender.outbox[-1]["text"])


# --- Phone numbers -----------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["8 912 345-67-89", "+7 (912) 345-67-89", "9123456789", "89123456789", " +79123456789 ", "7 912 345 67 89"],
)
def test_every_russian_way_of_writing_a_mobile_number_gives_one_e164(raw):
    assert normalize_phone(raw) == "+79123456789"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Укажите номер телефона."),
        ("позвоните мне", "Номер телефона указан неверно."),
        ("12345", "Такого номера телефона не существует."),
        ("+7 912 345", "Такого номера телефона не существует."),
    ],
)
def test_garbage_phone_is_refused_in_russian(raw, message):
    with pytest.raises(ValidationError) as exc:
        normalize_phone(raw)
    assert exc.value.messages == [message]


def test_user_create_stores_the_normalised_phone_and_lowercase_email():
    user = user_create(last_name="Иванова", first_name="Мария", phone="8 (912) 345-67-89", email=" Maria@Example.ORG ")
    user.refresh_from_db()
    assert user.phone == "+79123456789"
    assert user.email == "maria@example.org"
    assert user.full_name == "Иванова Мария"


def test_user_create_refuses_a_taken_phone_in_any_form_and_a_taken_email_in_any_case():
    UserFactory(phone="+79123456789", email="maria@example.org")
    with pytest.raises(RuleViolation, match="телефоном уже зарегистрирован"):
        user_create(last_name="Петрова", first_name="Анна", phone="8 912 345-67-89")
    with pytest.raises(RuleViolation, match="e-mail уже зарегистрирован"):
        user_create(last_name="Петрова", first_name="Анна", email="MARIA@example.org")


# --- Password sign-in ---------------------------------------------------------------


@pytest.mark.parametrize(
    "login",
    ["+79123456789", "8 912 345-67-89", "+7 (912) 345-67-89", "9123456789", "maria@example.org", "Maria@EXAMPLE.org"],
)
def test_password_sign_in_by_phone_in_any_form_or_by_email_in_any_case(login):
    user = UserFactory(phone="+79123456789", email="maria@example.org")
    assert authenticate(username=login, password=PASSWORD) == user


def test_password_sign_in_refuses_a_wrong_password_an_unknown_login_and_a_blocked_account():
    user = UserFactory(phone="+79123456789", email="maria@example.org")
    assert authenticate(username="+79123456789", password="wrong-password") is None
    assert authenticate(username="+79990000000", password=PASSWORD) is None
    assert authenticate(username="nobody@example.org", password=PASSWORD) is None
    assert authenticate(username="не телефон", password=PASSWORD) is None
    user.is_active = False
    user.save()
    assert authenticate(username="+79123456789", password=PASSWORD) is None


def test_passwords_are_hashed_with_argon2(settings):
    import portal.settings as project

    # The test suite swaps in a fast hasher; the portal itself runs with the project's list.
    settings.PASSWORD_HASHERS = project.PASSWORD_HASHERS
    user = UserFactory()
    assert user.password.startswith("argon2$")
    assert authenticate(username=user.phone, password=PASSWORD) == user


# --- One-time codes -------------------------------------------------------------------


def test_code_by_phone_arrives_by_sms_after_commit_and_signs_in_once(django_capture_on_commit_callbacks, sms_outbox):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        otp_request(identifier="8 912 345-67-89")
    assert sms_outbox == []  # nothing leaves before the transaction commits
    for callback in callbacks:
        callback()
    assert len(sms_outbox) == 1
    assert sms_outbox[0]["phone"] == "+79123456789"
    assert "Никому его не сообщайте" in sms_outbox[0]["text"]
    code = _code_from(sms_outbox[0]["text"])
    assert mail.outbox == []

    assert otp_verify(identifier="+7 (912) 345-67-89", code=code) == "+79123456789"
    with pytest.raises(RuleViolation) as exc:
        otp_verify(identifier="+79123456789", code=code)
    assert exc.value.message == "Код устарел или не запрашивался. Запросите новый код."


def test_the_code_is_not_stored_in_clear(django_capture_on_commit_callbacks):
    code = _request_sms(django_capture_on_commit_callbacks)
    otp = OneTimeCode.objects.get()
    assert code not in otp.code_hash


def test_code_by_email_arrives_by_email(django_capture_on_commit_callbacks, sms_outbox):
    with django_capture_on_commit_callbacks(execute=True):
        otp_request(identifier="  Maria@Example.org ")
    assert sms_outbox == []
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["maria@example.org"]
    assert message.subject == "Код для входа на портал"
    code = _code_from(message.body)
    assert otp_verify(identifier="MARIA@example.org", code=code) == "maria@example.org"


def test_an_identifier_that_is_neither_phone_nor_email_is_refused():
    with pytest.raises(RuleViolation, match="Укажите номер телефона или адрес электронной почты"):
        otp_request(identifier="Мария")
    assert not OneTimeCode.objects.exists()


def test_wrong_codes_are_counted_and_block_the_code_after_the_limit(settings, django_capture_on_commit_callbacks):
    settings.OTP_MAX_ATTEMPTS = 3
    code = _request_sms(django_capture_on_commit_callbacks)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for attempt in range(1, 4):
        with pytest.raises(RuleViolation) as exc:
            otp_verify(identifier="+79123456789", code=wrong)
        assert exc.value.message == "Неверный код."
        assert OneTimeCode.objects.get().attempts == attempt
    # Even the right code no longer works: the person has to ask for a new one.
    with pytest.raises(RateLimited) as exc:
        otp_verify(identifier="+79123456789", code=code)
    assert exc.value.message == "Слишком много неверных попыток. Запросите новый код."
    assert OneTimeCode.objects.get().used_at is None


def test_an_expired_code_is_refused(django_capture_on_commit_callbacks):
    code = _request_sms(django_capture_on_commit_callbacks)
    OneTimeCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(RuleViolation, match="Код устарел"):
        otp_verify(identifier="+79123456789", code=code)


def test_only_the_latest_code_counts(django_capture_on_commit_callbacks):
    first = _request_sms(django_capture_on_commit_callbacks)
    second = _request_sms(django_capture_on_commit_callbacks)
    if first != second:
        with pytest.raises(RuleViolation, match="Неверный код"):
            otp_verify(identifier="+79123456789", code=first)
    assert otp_verify(identifier="+79123456789", code=second) == "+79123456789"


def test_more_than_the_hourly_limit_of_requests_is_rate_limited(
    settings, django_capture_on_commit_callbacks, sms_outbox, monkeypatch
):
    settings.OTP_MAX_PER_HOUR = 3
    for _ in range(3):
        _request_sms(django_capture_on_commit_callbacks, identifier="8 912 345-67-89")
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RateLimited) as exc:
            otp_request(identifier="+79123456789")
    assert exc.value.message == "Коды запрашивались слишком часто. Попробуйте через час."
    assert len(sms_outbox) == 3
    assert OneTimeCode.objects.count() == 3
    # Another number is not affected, and an hour later the number may ask again.
    _request_sms(django_capture_on_commit_callbacks, identifier="+79123456780")
    OneTimeCode.objects.filter(destination="+79123456789").update(
        created_at=timezone.now() - timedelta(hours=1, seconds=1)
    )
    now_ms = limiter._now_ms()
    monkeypatch.setattr(limiter, "_now_ms", lambda: now_ms + 3601 * 1000)
    _request_sms(django_capture_on_commit_callbacks, identifier="+79123456789")
    assert len(sms_outbox) == 5


# --- Purging codes ----------------------------------------------------------------------


def _codes():
    """One live, one expired and one used code."""
    now = timezone.now()
    live = OneTimeCode.objects.create(
        destination="+79123456780", channel="sms", code_hash="x", expires_at=now + timedelta(minutes=5)
    )
    expired = OneTimeCode.objects.create(
        destination="+79123456781", channel="sms", code_hash="x", expires_at=now - timedelta(minutes=1)
    )
    used = OneTimeCode.objects.create(
        destination="a@example.org", channel="email", code_hash="x", expires_at=now + timedelta(minutes=5), used_at=now
    )
    return live, expired, used


def test_purge_deletes_only_expired_and_used_codes_and_can_run_again():
    live, _, _ = _codes()
    assert otp_purge_expired() == 2
    assert list(OneTimeCode.objects.values_list("pk", flat=True)) == [live.pk]
    assert otp_purge_expired() == 0
    assert OneTimeCode.objects.filter(pk=live.pk).exists()


def test_purge_command_prints_the_count(capsys):
    _codes()
    call_command("purge_codes")
    assert capsys.readouterr().out.strip() == "Удалено кодов: 2"
    call_command("purge_codes")
    assert capsys.readouterr().out.strip() == "Удалено кодов: 0"
    assert OneTimeCode.objects.count() == 1


def test_password_login_is_refused_after_too_many_failures(settings, rf, monkeypatch):
    from portal.accounts.services import password_login
    from portal.exceptions import RateLimited

    settings.LOGIN_MAX_FAILURES = 3
    user = UserFactory(phone="+79123450001")
    request = rf.post("/")
    for _ in range(3):
        assert password_login(request, identifier="89123450001", password="wrong") is None
    with pytest.raises(RateLimited, match="15 минут"):
        password_login(request, identifier="+7 912 345-00-01", password="pass-Word-123")
    now_ms = limiter._now_ms()
    monkeypatch.setattr(limiter, "_now_ms", lambda: now_ms + 15 * 60 * 1000)  # 15 minutes later
    assert password_login(request, identifier="89123450001", password="pass-Word-123") == user


def test_a_session_follows_its_person_on_the_next_request(client):
    """The session's person is read by a statement compiled once per process: a renamed person shows their new name
    on the next page, a deactivated or deleted one is signed out, and a session holding no valid id is anonymous."""
    from portal.accounts.backends import PhoneOrEmailBackend

    user = UserFactory(last_name="Прежняя")
    client.force_login(user)
    assert client.get("/accounts/sessions/").status_code == 200
    User.objects.filter(pk=user.pk).update(last_name="Новая")
    assert "Новая" in client.get("/accounts/sessions/").content.decode()
    backend = PhoneOrEmailBackend()
    assert backend.get_user(str(user.pk)).last_name == "Новая"
    assert backend.get_user("не число") is None and backend.get_user(str(10**30)) is None
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert backend.get_user(user.pk) is None
    assert client.get("/accounts/sessions/").status_code == 302  # signed out: to the sign-in page
    User.objects.filter(pk=user.pk).update(is_active=True)
    user.delete()
    assert backend.get_user(user.pk) is None
