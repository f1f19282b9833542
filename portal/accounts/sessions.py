"""Where a person is signed in: browser sessions and API tokens, recorded with device and address, and ended.

Tracking costs no query on an ordinary request: the time of the last mark is kept in the session itself (and read
with the token's own row for an API request), and the row is written at most once every SESSION_TOUCH_SECONDS.
Ending a browser session deletes it from the session store, so its next request is anonymous; ending a token
deletes the token, so its next request is a 401.
"""

import time
from importlib import import_module

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from rest_framework.authtoken.models import Token

from portal.exceptions import NotFound
from portal.request_context import get_client_ip
from portal.sql import insert_ignoring

from .devices import describe_device
from .models import AccessReport, OneTimeCode, User, UserSession

SEEN_KEY = "_session_seen_at"  # in the session: when its row was last marked (epoch seconds)


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def _touch_seconds() -> int:
    return getattr(settings, "SESSION_TOUCH_SECONDS", 300)


def _request_facts(request) -> dict:
    return {
        "user_agent": (request.META.get("HTTP_USER_AGENT") or "")[:500],
        "ip_address": get_client_ip(request),
    }


def session_record_login(request, user: User) -> UserSession | None:
    """Record the browser session a sign-in has just started (called on Django's user_logged_in)."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    if session.session_key is None:
        session.save()
    now = timezone.now()
    row, _ = UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "kind": UserSession.Kind.BROWSER,
            "signed_in_at": now,
            "last_seen_at": now,
            "ended_at": None,
            "end_reason": "",
            **_request_facts(request),
        },
    )
    session[SEEN_KEY] = int(time.time())
    return row


def session_record_logout(request) -> None:
    """Mark the browser session ended because its owner signed out."""
    key = getattr(getattr(request, "session", None), "session_key", None)
    if key:
        UserSession.objects.filter(session_key=key, ended_at__isnull=True).update(
            ended_at=timezone.now(), end_reason=UserSession.EndReason.SIGNED_OUT
        )


def session_touch(request) -> bool:
    """Mark the signed-in browser session seen, at most once every SESSION_TOUCH_SECONDS.

    Returns False when the session's row says it was ended (a store that could not delete it): the caller signs
    the request out.
    """
    session = request.session
    now_s = int(time.time())
    if now_s - int(session.get(SEEN_KEY) or 0) < _touch_seconds():
        return True
    key = session.session_key
    if not key:
        return True
    facts = _request_facts(request)
    updated = UserSession.objects.filter(session_key=key, ended_at__isnull=True, user=request.user).update(
        last_seen_at=timezone.now(), **facts
    )
    if not updated:
        if UserSession.objects.filter(session_key=key).exists():
            return False
        # A session from before tracking began (or one whose row was purged): recorded from now on.
        UserSession.objects.create(user=request.user, session_key=key, **facts)
    session[SEEN_KEY] = now_s
    return True


def session_rekey(*, old_key: str | None, new_key: str | None) -> None:
    """Follow a session whose key was cycled (a password change keeps the person signed in under a new key)."""
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)


def token_issue(request, user: User) -> Token:
    """The person's API token (made if missing), recorded with the device and address that asked for it."""
    token, _ = Token.objects.get_or_create(user=user)
    now = timezone.now()
    UserSession.objects.update_or_create(
        token=token,
        defaults={"user": user, "kind": UserSession.Kind.TOKEN, "last_seen_at": now, **_request_facts(request)},
    )
    return token


TOKEN_ROW_COLUMNS = "user_id kind token_id user_agent ip_address signed_in_at last_seen_at end_reason".split()


def _token_row_add(request, token: Token, now) -> None:
    """The row of a token made elsewhere (its first use): one insert that leaves a row a parallel first use wrote
    alone (the token's unique link), instead of a read, then an insert in a transaction of its own."""
    facts = _request_facts(request)
    ops = connection.ops
    ip = UserSession._meta.get_field("ip_address").get_db_prep_save(facts["ip_address"], connection)
    at = ops.adapt_datetimefield_value(now)
    values = [token.user_id, UserSession.Kind.TOKEN.value, token.pk, facts["user_agent"], ip, at, at, ""]
    with connection.cursor() as cursor:
        cursor.execute(insert_ignoring(ops.quote_name(UserSession._meta.db_table), TOKEN_ROW_COLUMNS), values)


def token_touch(request, token: Token) -> None:
    """Mark an API token seen, at most once every SESSION_TOUCH_SECONDS; a token made elsewhere gets its row."""
    row = getattr(token, "tracking", None)
    now = timezone.now()
    if row is None:
        _token_row_add(request, token, now)
    elif (now - row.last_seen_at).total_seconds() >= _touch_seconds():
        UserSession.objects.filter(pk=row.pk).update(last_seen_at=now, **_request_facts(request))


def sessions_active(user: User) -> QuerySet[UserSession]:
    """The person's sessions and tokens that are still in force, most recently seen first."""
    expired_before = timezone.now() - timezone.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    return UserSession.objects.filter(user=user, ended_at__isnull=True).filter(
        Q(kind=UserSession.Kind.TOKEN, token__isnull=False)
        | Q(kind=UserSession.Kind.BROWSER, last_seen_at__gt=expired_before)
    )


def sessions_mark_expired(*, now=None) -> int:
    """Mark ended the browser sessions not seen for longer than a session lives (their cookies expired): one
    set-based update, safe to repeat. Their rows stay as the account's history."""
    now = now or timezone.now()
    expired_before = now - timezone.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    return UserSession.objects.filter(
        kind=UserSession.Kind.BROWSER, ended_at__isnull=True, last_seen_at__lte=expired_before
    ).update(ended_at=now, end_reason=UserSession.EndReason.EXPIRED)


def session_get(user: User, pk) -> UserSession:
    """One of the person's own sessions in force; another person's is not found."""
    try:
        return sessions_active(user).get(pk=int(pk))
    except (UserSession.DoesNotExist, ValueError, TypeError):
        raise NotFound(gettext("Сеанс не найден или уже завершён.")) from None


def _end(rows: list[UserSession], reason: str) -> list[UserSession]:
    """End the given rows: delete their sessions from the store and their tokens; mark the rows."""
    now = timezone.now()
    store = _session_store()
    keys = [r.session_key for r in rows if r.kind == UserSession.Kind.BROWSER and r.session_key]
    token_keys = [r.token_id for r in rows if r.token_id]
    UserSession.objects.filter(pk__in=[r.pk for r in rows]).update(ended_at=now, end_reason=reason)
    if token_keys:
        Token.objects.filter(key__in=token_keys).delete()
    for key in keys:
        transaction.on_commit(lambda key=key: store().delete(key))
    for row in rows:
        row.ended_at, row.end_reason = now, reason
    return rows


def session_end(*, user: User, pk, reason: str = UserSession.EndReason.BY_USER) -> UserSession:
    """End one of the person's sessions or tokens."""
    with transaction.atomic():
        row = session_get(user, pk)
        return _end([row], reason)[0]


def sessions_end_others(
    *,
    user: User,
    current_key: str | None = None,
    current_token: str | None = None,
    reason: str = UserSession.EndReason.BY_USER,
    browsers_only: bool = False,
) -> list[UserSession]:
    """End every session and token of the person but the one this request came with (`browsers_only`: leave
    the API tokens)."""
    with transaction.atomic():
        rows = sessions_active(user).select_for_update()
        if browsers_only:
            rows = rows.filter(kind=UserSession.Kind.BROWSER)
        if current_key:
            rows = rows.exclude(session_key=current_key)
        if current_token:
            rows = rows.exclude(token_id=current_token)
        return _end(list(rows), reason)


def sessions_end_tokens(*, user: User, reason: str) -> int:
    """Revoke every API token of the person (the API's sign-out)."""
    with transaction.atomic():
        rows = _end(list(sessions_active(user).filter(kind=UserSession.Kind.TOKEN).select_for_update()), reason)
        Token.objects.filter(user=user).delete()
    return len(rows)


def account_sessions_end_all(*, user: User, reason: str, lock_password: bool = False) -> dict:
    """End every session, every API token and every pending one-time code of the person; with `lock_password`
    the password stops working too, so that the next sign-in is by a one-time code. Returns what was ended.

    Sessions that were never recorded (made before tracking began) end as well: a changed password hash makes
    Django refuse them at their next request.
    """
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        tokens = Token.objects.filter(user=locked).count()
        rows = _end(list(sessions_active(locked).select_for_update()), reason)
        Token.objects.filter(user=locked).delete()
        destinations = [d for d in (locked.phone, locked.email) if d]
        codes, _ = OneTimeCode.objects.filter(destination__in=destinations, used_at__isnull=True).delete()
        if lock_password:
            locked.set_unusable_password()
            locked.save(update_fields=["password"])
    return {"sessions": rows, "tokens": tokens, "codes": codes}


def access_report_create(request, *, user: User, comment: str = "") -> AccessReport:
    """«Сообщить о несанкционированном доступе»: end everything the account is signed in with (this session too),
    its API tokens and pending codes, stop the password, record what was ended, and tell the registered listeners
    (the organisations' administrators) in the same transaction. The next sign-in is by a one-time code."""
    from .hooks import access_report_listeners

    with transaction.atomic():
        ended = account_sessions_end_all(user=user, reason=UserSession.EndReason.ACCESS_REPORT, lock_password=True)
        report = AccessReport.objects.create(
            user=user,
            comment=(comment or "").strip(),
            ended={
                "sessions": [
                    {
                        "id": row.pk,
                        "kind": row.kind,
                        "device": describe_device(row.user_agent),
                        "ip": row.ip_address,
                        "last_seen": row.last_seen_at.isoformat(),
                    }
                    for row in ended["sessions"]
                ],
                "tokens": ended["tokens"],
                "codes": ended["codes"],
            },
            **_request_facts(request),
        )
        for listener in access_report_listeners:
            listener(report)
    return report
