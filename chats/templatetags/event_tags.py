"""Events on the pages: times as the organisation's clocks show them, and the chat page's «Ближайшие события»."""

from zoneinfo import ZoneInfo

from django import template
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format

from orgs.models import Group

from ..models import Chat, Event
from ..services.audiences import events_visible_q

register = template.Library()

CHAT_EVENTS_LIMIT = 3


@register.filter
def org_local(value, organisation):
    """«1 декабря 2026, 18:00» in the organisation's time zone."""
    if not value:
        return ""
    return date_format(timezone.localtime(value, ZoneInfo(organisation.time_zone)), "j E Y, H:i")


def _chat_audience(chat: Chat) -> Q:
    """The chat's own events, and the group events whose reminders this chat receives."""
    audience = Q(chat=chat)
    if chat.kind in (Chat.Kind.CLASS, Chat.Kind.CLASS_PARENTS) and chat.group_id:
        audience |= Q(group_id=chat.group_id)
    elif chat.kind == Chat.Kind.STAFF_CHANNEL:
        audience |= Q(group__kind=Group.Kind.STAFF, organisation_id=chat.organisation_id)
    return audience


@register.inclusion_tag("chats/_chat_events.html", takes_context=True)
def chat_upcoming_events(context, chat: Chat):
    """At most three upcoming events of the chat the viewer sees. Most chats have none: a plain query of the chat's
    upcoming events says so first, and only when there are some does the viewer's visibility (seven subqueries,
    ~3 ms of the ORM's work to build) filter them, in a second query."""
    user = context["request"].user
    upcoming = Event.objects.filter(_chat_audience(chat), cancelled_at__isnull=True, starts_at__gt=timezone.now())
    events = []
    if upcoming.exists():
        visible = upcoming.filter(events_visible_q(user)).select_related("group")
        events = list(visible.order_by("starts_at", "pk")[:CHAT_EVENTS_LIMIT])
    return {"events": events, "chat": chat, "organisation": chat.organisation}


@register.filter
def org_iso(value, organisation):
    """The moment in ISO 8601 with the organisation's offset, for <time datetime>."""
    if not value:
        return ""
    return timezone.localtime(value, ZoneInfo(organisation.time_zone)).isoformat(timespec="minutes")
