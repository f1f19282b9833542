"""Events on the pages: times as the organisation's clocks show them, and the chat page's «Ближайшие события»."""

from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone
from django.utils.formats import date_format

from ..models import Chat, Event
from ..selectors import chat_event_audience
from ..services.audiences import events_visible_q

register = template.Library()

CHAT_EVENTS_LIMIT = 3


@register.filter
def org_local(value, organisation):
    """«1 декабря 2026, 18:00» in the organisation's time zone."""
    if not value:
        return ""
    return date_format(timezone.localtime(value, ZoneInfo(organisation.time_zone)), "j E Y, H:i")


@register.inclusion_tag("chats/_chat_events.html", takes_context=True)
def chat_upcoming_events(context, chat: Chat, any_upcoming=None):
    """At most three upcoming events of the chat the viewer sees. Most chats have none: the chat page knows it from
    its facts (`any_upcoming`, chats.selectors.chat_page_facts), else a plain query of the chat's upcoming events says
    so first; only when there are some does the viewer's visibility (seven subqueries, ~3 ms of the ORM's work to
    build) filter them, in a query of its own."""
    events = []
    if any_upcoming is not False:
        now = timezone.now()
        upcoming = Event.objects.filter(chat_event_audience(chat), cancelled_at__isnull=True, starts_at__gt=now)
        if any_upcoming or upcoming.exists():
            visible = upcoming.filter(events_visible_q(context["request"].user)).select_related("group")
            events = list(visible.order_by("starts_at", "pk")[:CHAT_EVENTS_LIMIT])
    return {"events": events, "chat": chat, "organisation": chat.organisation}


@register.filter
def org_iso(value, organisation):
    """The moment in ISO 8601 with the organisation's offset, for <time datetime>."""
    if not value:
        return ""
    return timezone.localtime(value, ZoneInfo(organisation.time_zone)).isoformat(timespec="minutes")
