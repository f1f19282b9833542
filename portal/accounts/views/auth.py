"""Sign-in by password or by one-time code, and sign-out."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.exceptions import PortalError

from ..forms import CodeRequestForm, CodeVerifyForm, PasswordLoginForm, password_form
from ..models import UserSession
from ..services import otp_request, otp_verify, password_login, user_find_by_identifier
from ..sessions import session_rekey, sessions_end_others

BACKEND = "portal.accounts.backends.PhoneOrEmailBackend"
SESSION_IDENTIFIER = "otp_identifier"
SESSION_NEXT = "otp_next"


def _next_url(request, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def login_password(request):
    """Sign in with a phone or e-mail and a password."""
    next_url = request.POST.get("next") or request.GET.get("next", "")
    form = PasswordLoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = password_login(
                request, identifier=form.cleaned_data["identifier"], password=form.cleaned_data["password"]
            )
        except PortalError as error:
            form.add_error(None, error.message)
            return render(request, "accounts/login.html", {"form": form, "next": next_url}, status=error.status)
        if user is not None:
            login(request, user, backend=BACKEND)
            return redirect(_next_url(request, next_url))
        form.add_error(None, _("Неверный телефон, e-mail или пароль."))
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


def login_code_request(request):
    """Step 1 of code sign-in: send a code. The answer is the same whether or not the account exists."""
    next_url = request.POST.get("next") or request.GET.get("next", "")
    form = CodeRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        identifier = form.cleaned_data["identifier"]
        try:
            # Codes go only to existing accounts, so that the form cannot be used to send SMS to anyone; one is
            # made and counted for any address, so that the limits do not tell which addresses have accounts.
            otp_request(identifier=identifier, deliver=user_find_by_identifier(identifier) is not None)
        except PortalError as error:
            messages.error(request, error.message)
        else:
            request.session[SESSION_IDENTIFIER] = identifier
            request.session[SESSION_NEXT] = next_url
            return redirect("accounts:login_code_verify")
    return render(request, "accounts/login_code.html", {"form": form, "next": next_url})


def login_code_verify(request):
    """Step 2 of code sign-in: check the code and sign the person in."""
    identifier = request.session.get(SESSION_IDENTIFIER)
    if not identifier:
        return redirect("accounts:login_code")
    form = CodeVerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = user_find_by_identifier(identifier)
        try:
            otp_verify(identifier=identifier, code=form.cleaned_data["code"])
            if user is None:
                # Never reached with a real code (none is sent without an account); the words of a wrong code.
                raise PortalError(_("Неверный код."))
        except PortalError as error:
            form.add_error("code", error.message)
        else:
            next_url = request.session.pop(SESSION_NEXT, "")
            request.session.pop(SESSION_IDENTIFIER, None)
            login(request, user, backend=BACKEND)
            return redirect(_next_url(request, next_url))
    return render(request, "accounts/login_code_verify.html", {"form": form, "identifier": identifier})


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("Вы вышли из портала."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


@login_required
def password_change(request):
    """Change (or, without a usable one, set) the password; the person stays signed in here, and their other
    browser sessions end (Django would refuse them anyway: they carry the old password's hash)."""
    form = password_form(request.user, request.POST or None)
    had_password = request.user.has_usable_password()
    if request.method == "POST" and form.is_valid():
        user = form.save()
        old_key = request.session.session_key
        update_session_auth_hash(request, user)
        session_rekey(old_key=old_key, new_key=request.session.session_key)
        ended = sessions_end_others(
            user=user,
            current_key=request.session.session_key,
            reason=UserSession.EndReason.PASSWORD_CHANGED,
            browsers_only=True,
        )
        text = _("Пароль изменён.") if had_password else _("Пароль задан.")
        if ended:
            text += " " + _("Другие сеансы в браузерах завершены: %(n)s.") % {"n": len(ended)}
        messages.success(request, text)
        return redirect("accounts:sessions")
    return render(request, "accounts/password_change.html", {"form": form, "had_password": had_password})
