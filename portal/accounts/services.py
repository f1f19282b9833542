"""Writes for accounts: one-time codes and users."""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from portal.exceptions import RuleViolation
from portal.mail import letter_render
from portal.ratelimit import limiter as ratelimit

from .models import OneTimeCode, User
from .phones import looks_like_phone, normalize_phone
from .senders import send_code_email, send_sms


def _hash_code(destination: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{destination}:{code}".encode(), hashlib.sha256).hexdigest()


def normalize_identifier(identifier: str) -> tuple[str, str]:
    """Return (channel, destination) for a phone number or an e-mail address."""
    identifier = (identifier or "").strip()
    if looks_like_phone(identifier):
        return OneTimeCode.Channel.SMS, normalize_phone(identifier)
    if "@" in identifier:
        return OneTimeCode.Channel.EMAIL, identifier.lower()
    raise RuleViolation(gettext("Укажите номер телефона или адрес электронной почты."), code="identifier_invalid")


def user_find_by_identifier(identifier: str) -> User | None:
    """The active user with this phone or e-mail, or None."""
    try:
        channel, destination = normalize_identifier(identifier)
    except Exception:
        return None
    field = "phone" if channel == OneTimeCode.Channel.SMS else "email__iexact"
    return User.objects.filter(is_active=True, **{field: destination}).first()


def otp_request(*, identifier: str, deliver: bool = True) -> OneTimeCode:
    """Send a fresh sign-in code to a phone or e-mail; at most OTP_MAX_PER_HOUR an hour.

    With deliver=False the code is made and counted but sent nowhere: sign-in asks so for an address without an
    account, so that the limits and every later answer are the same as for one with an account.
    """
    channel, destination = normalize_identifier(identifier)
    ratelimit.take(
        "otp-request",
        destination,
        limit=settings.OTP_MAX_PER_HOUR,
        window=3600,
        message=gettext("Коды запрашивались слишком часто. Попробуйте через час."),
        code="otp_rate_limited",
    )
    now = timezone.now()
    code = f"{secrets.randbelow(10**6):06d}"
    otp = OneTimeCode.objects.create(
        destination=destination,
        channel=channel,
        code_hash=_hash_code(destination, code),
        expires_at=now + timedelta(seconds=settings.OTP_TTL_SECONDS),
    )
    minutes = max(1, settings.OTP_TTL_SECONDS // 60)
    letter = letter_render("login_code", {"code": code, "minutes": minutes})
    text = letter["body"]  # the SMS says what the letter says
    if not deliver:
        return otp
    if channel == OneTimeCode.Channel.SMS:
        transaction.on_commit(lambda: send_sms(phone=destination, text=text))
    else:
        transaction.on_commit(lambda: send_code_email(email=destination, subject=letter["subject"], text=text))
    return otp


def otp_verify(*, identifier: str, code: str) -> str:
    """Consume a valid code for the destination and return the destination; single use."""
    _, destination = normalize_identifier(identifier)
    now = timezone.now()
    live = OneTimeCode.objects.filter(destination=destination, used_at__isnull=True, expires_at__gt=now)
    latest = live.order_by("-created_at").values_list("pk", flat=True).first()
    if latest is None:
        raise RuleViolation(gettext("Код устарел или не запрашивался. Запросите новый код."), code="otp_expired")
    # Counted before the comparison and outside the transaction below, so that parallel guesses cannot share
    # one free attempt and a rolled-back block cannot return one.
    ratelimit.take(
        "otp-attempt",
        str(latest),
        limit=settings.OTP_MAX_ATTEMPTS,
        window=settings.OTP_TTL_SECONDS,
        message=gettext("Слишком много неверных попыток. Запросите новый код."),
        code="otp_attempts",
    )
    with transaction.atomic():
        otp = live.select_for_update().filter(pk=latest).first()
        if otp is None:
            raise RuleViolation(gettext("Код устарел или не запрашивался. Запросите новый код."), code="otp_expired")
        wrong = not hmac.compare_digest(otp.code_hash, _hash_code(destination, (code or "").strip()))
        if wrong:
            OneTimeCode.objects.filter(pk=otp.pk).update(attempts=F("attempts") + 1)
        # A conditional update, so that two requests with the same code cannot both use it.
        elif not OneTimeCode.objects.filter(pk=otp.pk, used_at__isnull=True).update(used_at=now):
            raise RuleViolation(gettext("Код уже использован."), code="otp_used")
    # Raised after the block commits: an exception inside it would roll the attempt count back.
    if wrong:
        raise RuleViolation(gettext("Неверный код."), code="otp_invalid")
    return destination


def otp_purge_expired(*, now=None) -> int:
    """Delete codes that expired or were used; one set-based delete, safe to repeat."""
    now = now or timezone.now()
    from django.db.models import Q

    deleted, _ = OneTimeCode.objects.filter(Q(expires_at__lte=now) | Q(used_at__isnull=False)).delete()
    return deleted


def user_create(
    *,
    last_name: str,
    first_name: str,
    patronymic: str = "",
    phone: str | None = None,
    email: str | None = None,
    password: str | None = None,
) -> User:
    """Create a person; phone is normalised, e-mail is unique regardless of case."""
    phone = normalize_phone(phone) if phone else None
    email = email.strip().lower() if email else None
    if phone and User.objects.filter(phone=phone).exists():
        raise RuleViolation(gettext("Пользователь с таким телефоном уже зарегистрирован."), code="phone_taken")
    if email and User.objects.filter(email__iexact=email).exists():
        raise RuleViolation(gettext("Пользователь с таким e-mail уже зарегистрирован."), code="email_taken")
    return User.objects.create_user(
        phone=phone,
        email=email,
        password=password,
        last_name=last_name.strip(),
        first_name=first_name.strip(),
        patronymic=(patronymic or "").strip(),
    )


def account_signup_by_code(
    *,
    identifier: str,
    code: str,
    last_name: str,
    first_name: str,
    patronymic: str = "",
    password: str | None = None,
) -> tuple[User, bool]:
    """Sign up with a one-time code sent to a phone or an e-mail (otp_request): the code proves the address, and
    the person gets an account with it as the login. Returns (the account, whether it is new): a person whose
    account already has this phone or e-mail is signed in to it instead, their name unchanged."""
    otp_verify(identifier=identifier, code=code)
    user = user_find_by_identifier(identifier)
    if user is not None:
        return user, False
    channel, destination = normalize_identifier(identifier)
    sms = channel == OneTimeCode.Channel.SMS
    user = user_create(
        last_name=last_name,
        first_name=first_name,
        patronymic=patronymic,
        phone=destination if sms else None,
        email=None if sms else destination,
        password=password,
    )
    return user, True


def _login_key(identifier: str) -> str:
    try:
        _, identifier = normalize_identifier(identifier)  # every way of writing one phone counts together
    except Exception:
        identifier = (identifier or "").strip().lower()
    return identifier


def password_login(request, *, identifier: str, password: str) -> User | None:
    """Check a password; after LOGIN_MAX_FAILURES wrong tries for one login in 15 minutes refuse with 429."""
    from django.contrib.auth import authenticate

    key = _login_key(identifier)
    # The try is counted before the password is checked, so that parallel guesses cannot outrun the limit;
    # a right password clears the failures.
    ratelimit.take(
        "login-failures",
        key,
        limit=settings.LOGIN_MAX_FAILURES,
        window=15 * 60,
        message=gettext("Слишком много неудачных попыток входа. Подождите 15 минут или войдите по коду."),
        code="login_rate_limited",
    )
    user = authenticate(request, username=identifier, password=password)
    if user is not None:
        ratelimit.clear("login-failures", key)
    return user
