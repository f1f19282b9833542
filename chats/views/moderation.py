"""Moderation pages: report a message, pin it; the members of a chat (mute, unmute, remove); the queue of reports."""

from datetime import timedelta

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from orgs.models import Membership
from orgs.web import org_page
from portal.web import back, perform

from ..models import ChatMember, Report
from ..selectors import chat_members, moderated_chat_ids, moderation_queue
from ..services.moderation import (
    MUTE,
    REMOVE,
    UNMUTE,
    member_mute,
    member_refusal,
    member_remove,
    member_unmute,
    message_pin,
    message_unpin,
    report_create,
    report_resolve,
    standing_of,
)
from .chat import _message_or_404, _to_chat, chat_for_page

MEMBERS_PAGE_SIZE = 100
REPORTS_PAGE_SIZE = 20
MUTE_CHOICES = (
    ("hour", gettext_lazy("на 1 час"), timedelta(hours=1)),
    ("day", gettext_lazy("на 1 день"), timedelta(days=1)),
    ("week", gettext_lazy("на 1 неделю"), timedelta(weeks=1)),
    ("forever", gettext_lazy("до снятия ограничения"), None),
)


# --- messages: report, pin, unpin --------------------------------------------------------------------------------


@login_required
@require_POST
def message_report_view(request, chat_id, message_id):
    chat = chat_for_page(request, chat_id)
    message = _message_or_404(chat, message_id)
    message.chat = chat
    perform(
        request,
        lambda: report_create(
            message=message,
            actor=request.user,
            reason=request.POST.get("reason", ""),
            comment=request.POST.get("comment", ""),
        ),
        _("Спасибо! Жалоба отправлена модераторам чата."),
    )
    return _to_chat(chat, message.pk)


@login_required
@require_POST
def message_pin_view(request, chat_id, message_id, pin=True):
    chat = chat_for_page(request, chat_id)
    message = _message_or_404(chat, message_id)
    message.chat = chat
    if pin:
        perform(request, lambda: message_pin(message=message, actor=request.user), _("Сообщение закреплено."))
    else:
        perform(request, lambda: message_unpin(message=message, actor=request.user), _("Сообщение откреплено."))
    return _to_chat(chat, message.pk)


# --- members -----------------------------------------------------------------------------------------------------


@login_required
@require_GET
def members_page(request, chat_id):
    chat = chat_for_page(request, chat_id)
    page = Paginator(chat_members(chat), MEMBERS_PAGE_SIZE).get_page(request.GET.get("page"))
    standing = standing_of(request.user, chat)
    moderates = standing.is_admin or standing.role in (ChatMember.Role.OWNER, ChatMember.Role.MODERATOR)
    now = timezone.now()
    if moderates:
        admins = set(
            Membership.objects.filter(
                organisation_id=chat.organisation_id, role=Membership.Role.ADMIN, valid_to__isnull=True
            ).values_list("user_id", flat=True)
        )
        owners = ChatMember.objects.filter(chat=chat, left_at__isnull=True, role=ChatMember.Role.OWNER).count()
    for m in page.object_list:
        m.muted_now = m.is_muted(now)
        m.may = {}
        if moderates:
            for action in (MUTE, UNMUTE, REMOVE):
                refusal = member_refusal(
                    chat, standing, m, target_is_admin=m.user_id in admins, owner_count=owners, action=action
                )
                m.may[action] = refusal is None
            m.may[UNMUTE] = m.may[UNMUTE] and m.muted_now
    context = {
        "chat": chat,
        "page": page,
        "moderates": moderates,
        "mute_choices": [(key, label) for key, label, _delta in MUTE_CHOICES],
    }
    return render(request, "chats/members.html", context)


def _to_members(chat):
    return redirect(reverse("chats:members", args=[chat.pk]))


def _member_action(request, chat, service, done: str, **kwargs):
    """Run one moderation service on a member of the chat, say how it went, and go back to the member list."""
    perform(request, lambda: service(chat=chat, actor=request.user, **kwargs), done)
    return _to_members(chat)


@login_required
@require_POST
def member_mute_view(request, chat_id, user_id):
    chat = chat_for_page(request, chat_id)
    choice = next((c for c in MUTE_CHOICES if c[0] == request.POST.get("duration")), None)
    if choice is None:
        flash.error(request, _("Выберите срок ограничения."))
        return _to_members(chat)
    until = timezone.now() + choice[2] if choice[2] else None
    return _member_action(request, chat, member_mute, _("Участнику запрещено писать в чат."), user=user_id, until=until)


@login_required
@require_POST
def member_unmute_view(request, chat_id, user_id):
    chat = chat_for_page(request, chat_id)
    return _member_action(
        request, chat, member_unmute, _("Ограничение снято: участник снова может писать."), user=user_id
    )


@login_required
@require_POST
def member_remove_view(request, chat_id, user_id):
    chat = chat_for_page(request, chat_id)
    return _member_action(request, chat, member_remove, _("Участник исключён из чата."), user=user_id)


# --- the queue ---------------------------------------------------------------------------------------------------


def _require_moderator(user, org) -> None:
    chat_ids = moderated_chat_ids(user, org)
    if chat_ids is not None and not chat_ids.exists():
        raise PermissionDenied


@org_page()
@require_GET
def reports_page(request, org):
    _require_moderator(request.user, org)
    status = request.GET.get("status") or Report.Status.OPEN
    if status not in Report.Status.values:
        status = Report.Status.OPEN
    reports = moderation_queue(request.user, org, status=status)
    chat_id = request.GET.get("chat", "")
    if chat_id.isdigit() and len(chat_id) < 19:
        reports = reports.filter(chat_id=int(chat_id))
    page = Paginator(reports, REPORTS_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "status": status, "statuses": Report.Status.choices}
    return render(request, "chats/reports.html", context)


@org_page()
@require_POST
def report_resolve_view(request, org, report_id):
    _require_moderator(request.user, org)
    report = moderation_queue(request.user, org, status=None).filter(pk=report_id).first()
    if report is None:
        raise Http404
    action = request.POST.get("action", "")
    done = _("Сообщение удалено, жалоба закрыта.") if action == "delete_message" else _("Жалоба отклонена.")
    perform(
        request,
        lambda: report_resolve(report=report, actor=request.user, action=action, note=request.POST.get("note", "")),
        done,
    )
    return back(request, "chats:reports", org.pk)
