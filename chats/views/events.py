"""The events pages: upcoming and past events of the organisation the user sees, scheduling, an event, cancelling."""

from django.contrib import messages as flash
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from orgs.web import org_page
from portal.exceptions import PortalError
from portal.web import apply_error_to_form, perform

from ..event_forms import EventForm
from ..services.audiences import audience_label, chats_postable_by, groups_schedulable_by
from ..services.events import (
    event_can_cancel,
    event_cancel,
    event_create,
    event_get_for,
    events_past_for_user,
    events_upcoming_for_user,
)

PAGE_SIZE = 20


def _may_schedule(user, org) -> bool:
    return chats_postable_by(user, org).exists() or groups_schedulable_by(user, org).exists()


@org_page()
@require_GET
def event_list(request, org):
    past = request.GET.get("when") == "past"
    finder = events_past_for_user if past else events_upcoming_for_user
    page = Paginator(finder(request.user, org), PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page:
        event.audience = audience_label(event, org)
    context = {"page": page, "past": past, "may_schedule": _may_schedule(request.user, org)}
    return render(request, "chats/events.html", context)


@org_page()
@require_http_methods(["GET", "POST"])
def event_new(request, org):
    chats = list(chats_postable_by(request.user, org))
    groups = list(groups_schedulable_by(request.user, org))
    if not chats and not groups:
        raise PermissionDenied
    initial = {"audience": request.GET.get("audience", "")}
    form = EventForm(request.POST or None, initial=initial, organisation=org, chats=chats, groups=groups)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "audience"}
        try:
            event = event_create(organisation=org, actor=request.user, **form.chosen_audience(), **data)
        except PortalError as error:
            apply_error_to_form(form, error)
        else:
            flash.success(request, _("Событие запланировано. Напоминание придёт участникам заранее."))
            return redirect("chats:event", org.pk, event.pk)
    return render(request, "chats/event_form.html", {"form": form})


def _detail(request, org, event, confirm_cancel=False):
    context = {
        "event": event,
        "audience": audience_label(event, org),
        "started": event.starts_at <= timezone.now(),
        "can_cancel": event_can_cancel(request.user, event),
        "confirm_cancel": confirm_cancel,
    }
    return render(request, "chats/event_detail.html", context)


@org_page()
@require_GET
def event_detail(request, org, event_id):
    return _detail(request, org, event_get_for(request.user, org, event_id))


@org_page()
@require_http_methods(["GET", "POST"])
def event_cancel_view(request, org, event_id):
    """GET asks to confirm; POST cancels."""
    event = event_get_for(request.user, org, event_id)
    if not event_can_cancel(request.user, event):
        raise PermissionDenied
    if request.method == "GET":
        return _detail(request, org, event, confirm_cancel=True)
    perform(request, lambda: event_cancel(event=event, actor=request.user), _("Событие отменено."))
    return redirect("chats:event", org.pk, event.pk)
