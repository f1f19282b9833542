"""Managing links: the list with filters, creating, a link's page with its redemptions, and its actions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from orgs.selectors import is_unverified_teacher, roles_in
from orgs.web import org_page
from portal.exceptions import PortalError
from portal.web import apply_error_to_form, perform

from .. import selectors
from ..forms import (
    AdminLinkForm,
    InviteCreateForm,
    InviteFilterForm,
    KitCopiesForm,
    RelayForm,
    RevokeAllForm,
    classes_for_inviter,
    invite_roles,
    kit_copies_default,
)
from ..models import Invite
from ..permissions import can_manage_invite
from ..services import links

PAGE_SIZE = 25
Status = Invite.Status


def may_invite(user, org) -> bool:
    """Administrators and teachers have links to manage; students and parents do not."""
    return (
        user.has_perm("orgs.invite_members", org)
        or user.has_perm("orgs.invite_staff", org)
        or "teacher" in roles_in(user, org)
    )


def _require_inviter(user, org) -> None:
    if not may_invite(user, org):
        raise PermissionDenied


def _filter(qs, data: dict):
    """Status as it is now: an active link past its expiry counts as expired even before the job marks it."""
    now = timezone.now()
    status = data.get("status")
    if status == Status.ACTIVE:
        qs = qs.filter(status=Status.ACTIVE, expires_at__gt=now)
    elif status == Status.EXPIRED:
        qs = qs.filter(Q(status=Status.EXPIRED) | Q(status=Status.ACTIVE, expires_at__lte=now))
    elif status:
        qs = qs.filter(status=status)
    if data.get("role"):
        qs = qs.filter(role=data["role"])
    if data.get("group") is not None:
        qs = qs.filter(target_group=data["group"])
    return qs


@org_page("view_org")
def invite_list(request, org):
    user = request.user
    _require_inviter(user, org)
    form = InviteFilterForm(request.GET or None, org=org)
    invites = selectors.invites_for_user(user, org)
    if form.is_bound and form.is_valid():
        invites = _filter(invites, form.cleaned_data)
    page = Paginator(invites.order_by("-created_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    may_create = user.has_perm("orgs.invite_staff", org) or classes_for_inviter(user, org).exists()
    context = {
        "form": form,
        "page": page,
        "now": timezone.now(),
        "is_admin": user.has_perm("orgs.invite_members", org),
        # «Создать ссылку» only where the form would offer something; an unverified teacher is told what comes next.
        "may_create": may_create,
        "awaiting_verification": not may_create and is_unverified_teacher(org, user),
        "refusal": "" if may_create else _refusal(user, org),
        "to_relay": list(selectors.invites_to_relay(user, org)[:20]),
        "revoke_form": RevokeAllForm(org=org, actor=user, auto_id="revoke_%s"),
    }
    return render(request, "invites/invite_list.html", context)


@org_page("view_org")
def invite_create(request, org):
    _require_inviter(request.user, org)
    if not request.user.has_perm("orgs.invite_staff", org) and not classes_for_inviter(request.user, org).exists():
        return render(
            request, "invites/invite_form.html", {"form": None, "refusal": _refusal(request.user, org)}, status=403
        )
    roles = invite_roles(request.user, org)
    role = request.POST.get("role") if request.method == "POST" else request.GET.get("role")
    if role not in dict(roles):
        # The role comes first: the form that follows shows only what matters for it.
        return render(request, "invites/invite_form.html", {"form": None, "roles": roles})
    form = InviteCreateForm(request.POST or None, org=org, actor=request.user, role=role)
    if request.method == "POST" and form.is_valid():
        try:
            invite, _token = links.invite_create(organisation=org, actor=request.user, **form.service_kwargs())
        except (PortalError, DjangoValidationError) as error:
            apply_error_to_form(form, error)
        else:
            messages.success(request, _("Ссылка создана. Скопируйте её и отправьте тем, кого приглашаете."))
            if selectors.parent_link_to_empty_class(invite):
                messages.warning(request, _empty_class_warning(org, invite))
            return redirect("invites:detail", org.pk, invite.pk)
    context = {"form": form, "roles": roles, "role": role}
    return render(request, "invites/invite_form.html", context, status=400 if form.errors else 200)


def _empty_class_warning(org, invite) -> str:
    vocab = org.vocabulary
    return _(
        "В списке %(group)s %(name)s на портале пока никого нет. Родители не смогут выбрать ребёнка: они впишут его "
        "фамилию и имя, а %(curator)s подтвердит каждую заявку, когда ребёнок вступит. Лучше сначала пригласить "
        "обучающихся."
    ) % {"group": vocab.group_genitive, "name": invite.target_group.name, "curator": vocab.curator}


@org_page("manage_admins")
def admin_link_create(request, org):
    """«Ссылка для администратора»: single-use, short-lived, carrying the appointing order."""
    form = AdminLinkForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            invite, _token = links.invite_create(
                organisation=org, actor=request.user, role="admin", max_uses=1, **form.service_kwargs()
            )
        except PortalError as error:
            apply_error_to_form(form, error)
        else:
            messages.success(request, _("Ссылка для администратора создана: она одноразовая и действует недолго."))
            return redirect("invites:detail", org.pk, invite.pk)
    hours = links.policy_for(org).admin_hours
    return render(
        request, "invites/admin_link_form.html", {"form": form, "hours": hours}, status=400 if form.errors else 200
    )


def _refusal(user, org) -> str:
    if is_unverified_teacher(org, user):
        return _("Приглашать смогут только подтверждённые педагоги: дождитесь подтверждения администратором.")
    return _(
        "Вы можете приглашать только в %(groups)s, где ведёте занятия или назначены куратором, а таких пока нет."
    ) % {"groups": org.vocabulary.groups}


@org_page("view_org")
def invite_detail(request, org, invite_id):
    _require_inviter(request.user, org)
    invite = selectors.invite_get(request.user, org, invite_id)
    redemptions = selectors.redemptions_of(invite, include_relays=True)
    context = {
        "invite": invite,
        "url": links.invite_url(invite),
        "state": _state(invite),
        "redemptions": redemptions[:200],
        "relays": invite.relays.select_related("created_by").order_by("-created_at"),
        "can_manage": can_manage_invite(request.user, invite),
        "live": invite.status in (Status.ACTIVE, Status.PAUSED),
        "kit_form": KitCopiesForm(initial={"copies": kit_copies_default(invite)})
        if _state(invite) == Status.ACTIVE and not invite.target_chat_id
        else None,
        "empty_class_warning": _empty_class_warning(org, invite)
        if _state(invite) == Status.ACTIVE and selectors.parent_link_to_empty_class(invite)
        else "",
    }
    return render(request, "invites/invite_detail.html", context)


def _state(invite: Invite) -> str:
    if invite.status == Status.ACTIVE and invite.expires_at <= timezone.now():
        return Status.EXPIRED
    return invite.status


ACTIONS = {
    "revoke": (links.invite_revoke, gettext_lazy("Ссылка отозвана: по ней больше нельзя вступить.")),
    "regenerate": (links.invite_regenerate, gettext_lazy("Выпущена новая ссылка; старая больше не работает.")),
    "pause": (links.invite_pause, gettext_lazy("Ссылка приостановлена.")),
    "resume": (links.invite_resume, gettext_lazy("Ссылка снова действует.")),
}


@org_page("view_org")
def invite_action(request, org, invite_id, action):
    """The link's buttons. «Отозвать» cannot be undone, so it asks first: a page with the link and a second button."""
    if action not in ACTIONS:
        raise Http404
    if request.method != "POST" and action != "revoke":
        return HttpResponseNotAllowed(["POST"])
    _require_inviter(request.user, org)
    invite = selectors.invite_get(request.user, org, invite_id)
    if action == "revoke" and request.POST.get("confirm") != "yes":
        revocable = can_manage_invite(request.user, invite) and invite.status in (Status.ACTIVE, Status.PAUSED)
        context = {"invite": invite, "revocable": revocable}
        return render(request, "invites/invite_revoke.html", context)
    service, success = ACTIONS[action]
    perform(request, lambda: service(invite=invite, actor=request.user), str(success))
    return redirect("invites:detail", org.pk, invite.pk)


@org_page("view_org")
def invite_relay(request, org, invite_id):
    """A curator passes on an administrator's class link as their own (a child link, within the original)."""
    _require_inviter(request.user, org)
    parent = selectors.invites_to_relay(request.user, org).filter(pk=invite_id).first()
    if parent is None:
        raise Http404
    form = RelayForm(request.POST if request.method == "POST" else None, org=org)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            child, _token = links.invite_relay(
                invite=parent, actor=request.user, max_uses=data.get("max_uses"), expires_at=data.get("expires_at")
            )
        except (PortalError, DjangoValidationError) as error:
            apply_error_to_form(form, error)
        else:
            messages.success(request, _("Ссылка передана от вашего имени: вступившие по ней видны у вас."))
            return redirect("invites:detail", org.pk, child.pk)
    return render(
        request, "invites/invite_relay.html", {"form": form, "parent": parent}, status=400 if form.errors else 200
    )


@require_POST
@org_page("view_org")
def invite_revoke_all(request, org):
    """«Отозвать все»: the organisation's, a class's (a curator: their own in it), or one's own."""
    _require_inviter(request.user, org)
    form = RevokeAllForm(request.POST, org=org, actor=request.user)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("invites:list", org.pk)
    scope = form.cleaned_data["scope"]
    if request.POST.get("confirm") != "yes":
        # Nothing can bring the links back: the scope is shown once more before anything is revoked.
        context = {"scope": dict(form.fields["scope"].choices)[scope], "group": form.cleaned_data["group"]}
        context["data"] = {"scope": scope, "group": form.cleaned_data["group"].pk if scope == "group" else ""}
        return render(request, "invites/revoke_all_confirm.html", context)
    kwargs = {"group": form.cleaned_data["group"]} if scope == "group" else {}
    if scope == "own":
        kwargs = {"creator": request.user}
    count, done = perform(request, lambda: links.invite_revoke_all(organisation=org, actor=request.user, **kwargs), "")
    if done:
        messages.success(request, _("Отозвано ссылок: %(n)s.") % {"n": count})
    return redirect("invites:list", org.pk)
