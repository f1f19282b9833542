"""The join page: what the link is, sign-up with a one-time code, one-click joining, and every outcome's page."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from orgs.models import Placement
from portal.accounts.services import account_signup_by_code, otp_request
from portal.exceptions import Conflict, Gone, NotFound, PortalError, RateLimited, RuleViolation
from portal.request_context import get_client_ip

from ..forms import CodeForm, JoinForm
from ..hooks import pending_child
from ..models import Invite, InviteRole
from ..services.chat_invites import chat_invite_check
from ..services.guard import invite_lookup
from ..services.redeem import Outcome, ensure_usable, invite_redeem, is_student_of

BACKEND = "portal.accounts.backends.PhoneOrEmailBackend"
SESSION_SIGNUP = "invite_signup"

# code → (HTTP status, heading). The words below the heading come from the service or the template.
FAILURES = {
    "invite_not_found": (404, gettext_lazy("Ссылка не найдена")),
    "invite_expired": (410, gettext_lazy("Срок действия ссылки истёк")),
    "invite_used_up": (410, gettext_lazy("Ссылка уже использована")),
    "invite_revoked": (410, gettext_lazy("Ссылка отозвана")),
    "invite_paused": (409, gettext_lazy("Ссылка приостановлена")),
    "invite_rate_limited": (429, gettext_lazy("Слишком много попыток")),
    "chat_archived": (410, gettext_lazy("Чат в архиве")),
}
SUCCESS_STATUS = {"joined": 200, "already": 200, "requested": 202}


def _failure(request, error: PortalError, invite: Invite | None = None):
    code = error.code if error.code in FAILURES else ("invite_not_found" if error.status == 404 else "")
    status, title = FAILURES.get(code, (error.status, _("Присоединиться не получилось")))
    context = {
        "kind": code or "error",
        "title": title,
        "message": error.message,
        "invite": invite,
        "org": invite.organisation if invite else None,
    }
    return render(request, "invites/join_failed.html", context, status=status)


def _lookup(request, token: str) -> Invite:
    """The invite behind a token; guessing is rate-limited per address, and misses count against it."""
    return invite_lookup(token, get_client_ip(request))


def _outcome_page(request, outcome: Outcome):
    invite = outcome.invite
    org = invite.organisation
    context = {
        "kind": outcome.kind,
        "invite": invite,
        "org": org,
        "vocab": org.vocabulary,
        "chat": invite.target_chat,
        "join_request": outcome.join_request,
        "child": (outcome.join_request.child if outcome.join_request else invite.bound_student),
    }
    if invite.target_group_id and invite.role != InviteRole.TEACHER:
        context["may_see_class"] = request.user.has_perm("orgs.view_group_roster", invite.target_group)
    return render(request, "invites/join_done.html", context, status=SUCCESS_STATUS[outcome.kind])


def _recipient_names(invite: Invite) -> dict:
    """A personal link's «Кому» fills the sign-up: «Фамилия Имя Отчество» as the person will be known."""
    words = invite.recipient_name.split() if invite.max_uses == 1 else []
    if len(words) < 2:
        return {}
    return {"last_name": words[0], "first_name": words[1], "patronymic": " ".join(words[2:])}


def _join_form(request, invite: Invite, *, data=None, initial=None) -> JoinForm:
    """The sign-up fields for a visitor, the child for a parent; a student's account is not shown the roster."""
    user = request.user
    signup = not user.is_authenticated
    roster = not (invite.role == InviteRole.PARENT and is_student_of(invite.organisation, user))
    return JoinForm(data, invite=invite, signup=signup, roster=roster, initial=initial)


def _join_page(request, token, invite, form, status=200, rule_error: RuleViolation | None = None):
    user = request.user
    org = invite.organisation
    if invite.target_chat_id and user.is_authenticated and rule_error is None:
        # Say at once that this person cannot join the chat, instead of after they press the button.
        try:
            chat_invite_check(invite, user)
        except RuleViolation as error:
            rule_error, status = error, error.status
    pending = pending_child(invite) if invite.role == InviteRole.PARENT and not invite.bound_student_id else None
    context = {
        "invite": invite,
        "org": org,
        "vocab": org.vocabulary,
        "chat": invite.target_chat,
        "token": token,
        "form": form,
        "rule_error": rule_error,
        "signed_in_as_student": invite.role == InviteRole.PARENT and is_student_of(org, user),
        "needs_child": "child" in form.fields or "child_name" in form.fields,
        "pending_child": pending,
        "parent_confirms": invite.role == InviteRole.PARENT
        and not (invite.bound_student_id or invite.target_chat_id or pending),
    }
    return render(request, "invites/join.html", context, status=status)


def _redeem(request, token, invite, child, form=None, child_name: str = ""):
    try:
        outcome = invite_redeem(
            invite=invite, user=request.user, child=child, child_name=child_name, ip=get_client_ip(request)
        )
    except RuleViolation as error:
        form = form or _join_form(request, invite, initial={"child": child, "child_name": child_name})
        return _join_page(request, token, invite, form, status=400, rule_error=error)
    except (Gone, Conflict, NotFound) as error:
        return _failure(request, error, invite if not isinstance(error, NotFound) else None)
    return _outcome_page(request, outcome)


def join(request, token):
    """GET shows the link; POST joins a signed-in person, or starts a visitor's sign-up with a one-time code."""
    try:
        invite = _lookup(request, token)
    except (NotFound, RateLimited) as error:
        return _failure(request, error)
    try:
        ensure_usable(invite)
    except (Gone, Conflict) as error:
        return _failure(request, error, invite)
    signup = not request.user.is_authenticated
    initial = _recipient_names(invite) if signup else None
    form = _join_form(request, invite, data=request.POST if request.method == "POST" else None, initial=initial)
    if signup and invite.target_chat_id:
        # A chat invite admits members of the organisation only: they sign in, nobody signs up here.
        return _join_page(request, token, invite, form)
    if request.method == "POST" and form.is_valid():
        child = form.cleaned_data.get("child")
        child_name = "" if child else form.cleaned_data.get("child_name", "")
        if not signup:
            return _redeem(request, token, invite, child, form, child_name=child_name)
        try:
            otp_request(identifier=form.cleaned_data["identifier"])
        except PortalError as error:
            form.add_error("identifier", error.message)
        else:
            request.session[SESSION_SIGNUP] = {
                "token": token,
                "child": child.pk if child else None,
                "child_name": child_name,
                **{k: form.cleaned_data[k] for k in ("last_name", "first_name", "patronymic", "identifier")},
            }
            return redirect("invites:join_code", token)
    return _join_page(request, token, invite, form, status=400 if form.errors else 200)


def join_code(request, token):
    """Step two of signing up on the join page: the code proves the phone or e-mail; then the person joins."""
    data = request.session.get(SESSION_SIGNUP)
    if not data or data.get("token") != token:
        return redirect("invites:join", token)
    try:
        invite = _lookup(request, token)
    except (NotFound, RateLimited) as error:
        return _failure(request, error)
    if invite.target_chat_id:
        return redirect("invites:join", token)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user, created = account_signup_by_code(
                identifier=data["identifier"],
                code=form.cleaned_data["code"],
                last_name=data["last_name"],
                first_name=data["first_name"],
                patronymic=data["patronymic"],
                password=form.cleaned_data["password"] or None,
            )
        except PortalError as error:
            form.add_error("code", error.message)
        else:
            if not created:
                messages.info(request, _("Вы вошли в свою учётную запись: она уже была на портале."))
            request.session.pop(SESSION_SIGNUP, None)
            login(request, user, backend=BACKEND)
            child = None
            if data.get("child"):
                child = (
                    invite.target_group
                    and Placement.objects.filter(
                        group=invite.target_group, student_id=data["child"], valid_to__isnull=True
                    )
                    .select_related("student")
                    .first()
                )
                child = child.student if child else None
            return _redeem(request, token, invite, child, child_name=data.get("child_name", ""))
    context = {
        "invite": invite,
        "org": invite.organisation,
        "form": form,
        "identifier": data["identifier"],
        "token": token,
    }
    return render(request, "invites/join_code.html", context, status=400 if form.errors else 200)


@require_POST
def join_switch(request, token):
    """«Выйти и открыть ссылку заново»: for the parent who found the child's account signed in on the device."""
    logout(request)
    messages.info(request, _("Вы вышли. Войдите или зарегистрируйтесь как родитель."))
    return redirect("invites:join", token)
