"""Scheduled events for a chat or a group of the structure (see .audiences), and their reminders: a post in the
chat and e-mail to the audience, sent exactly once per event however many workers run the job at the same time."""

import logging
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs.models import Group, Organisation
from orgs.permissions import is_admin, is_curator
from portal.accounts.models import User
from portal.exceptions import NotFound, PermissionDenied, RuleViolation
from portal.mail import email_after_commit, letter_render
from portal.quotes import inner_quotes

from ..models import Chat, ChatMember, Event, Message
from ..permissions import can_post, can_read, chat_role
from .audiences import (
    audience_label,
    events_visible_q,
    group_people,
    group_require_schedulable,
    is_staff_member,
    reminder_chat,
)
from .messages import message_post

logger = logging.getLogger("chats.events")

MAX_DURATION_MINUTES = 12 * 60
MAX_REMINDER_MINUTES = 7 * 24 * 60
# A reminder the job could not send in time (workers were down) is dropped this long after the start.
REMINDER_GRACE = timedelta(minutes=30)

_https = URLValidator(schemes=["https"])


def _bad(field: str, message: str, code: str = "invalid"):
    return RuleViolation(message, code=code, fields={field: [message]})


def _clean(*, kind, title, starts_at, duration_minutes, video_url, description, reminder_minutes_before, now):
    if kind not in Event.Kind.values:
        raise _bad("kind", _("Неизвестный вид события."))
    title = (title or "").strip()
    if not title:
        raise _bad("title", _("Укажите название события."))
    if len(title) > 200:
        raise _bad("title", _("Название длиннее 200 символов."))
    if starts_at is None or timezone.is_naive(starts_at):
        raise _bad("starts_at", _("Укажите время начала с часовым поясом."))
    if starts_at <= now:
        raise _bad("starts_at", _("Событие можно назначить только на будущее время."), code="in_the_past")
    if not 1 <= duration_minutes <= MAX_DURATION_MINUTES:
        raise _bad("duration_minutes", _("Длительность — от 1 до %(limit)s минут.") % {"limit": MAX_DURATION_MINUTES})
    if not 0 <= reminder_minutes_before <= MAX_REMINDER_MINUTES:
        raise _bad(
            "reminder_minutes_before",
            _("Напомнить можно за 0–%(limit)s минут.") % {"limit": MAX_REMINDER_MINUTES},
        )
    video_url = (video_url or "").strip()
    if video_url:
        try:
            _https(video_url)
        except ValidationError:
            raise _bad("video_url", _("Ссылка должна быть полным адресом, начинающимся с https://.")) from None
        if len(video_url) > 500:
            raise _bad("video_url", _("Ссылка длиннее 500 символов."))
    description = (description or "").strip()
    if len(description) > 2000:
        raise _bad("description", _("Описание длиннее 2000 символов."))
    return title, video_url, description


def _require_audience(actor, organisation: Organisation, chat: Chat | None, group: Group | None) -> None:
    if (chat is None) == (group is None):
        message = _("Укажите аудиторию события: чат или группу (что-то одно).")
        raise RuleViolation(message, code="audience", fields={"chat": [message], "group": [message]})
    if group is not None:
        group_require_schedulable(actor, organisation, group)
        return
    if chat.organisation_id != organisation.pk or not can_read(actor, chat):
        raise NotFound(_("Чат не найден."))
    if chat.is_archived:
        raise PermissionDenied(_("Чат в архиве: назначить в нём событие нельзя."))
    if not is_staff_member(actor, organisation):
        raise PermissionDenied(_("События назначают администраторы и педагоги."))
    if not can_post(actor, chat):
        raise PermissionDenied(_("Назначать события в чате могут те, кто может в нём писать."))


def event_create(
    *,
    organisation: Organisation,
    actor,
    kind: str,
    title: str,
    starts_at,
    chat: Chat | None = None,
    group: Group | None = None,
    duration_minutes: int = 45,
    video_url: str = "",
    description: str = "",
    reminder_minutes_before: int = 60,
    now=None,
) -> Event:
    """Schedule an event for a chat (whoever may post in it) or a group (see .audiences for who may), for a future
    time, with an https link if any."""
    now = now or timezone.now()
    _require_audience(actor, organisation, chat, group)
    title, video_url, description = _clean(
        kind=kind,
        title=title,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        video_url=video_url,
        description=description,
        reminder_minutes_before=reminder_minutes_before,
        now=now,
    )
    return Event.objects.create(
        organisation=organisation,
        chat=chat,
        group=group,
        kind=kind,
        title=title,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        video_url=video_url,
        description=description,
        created_by=actor,
        reminder_minutes_before=reminder_minutes_before,
        remind_at=starts_at - timedelta(minutes=reminder_minutes_before),
    )


def events_visible_for_user(user, organisation: Organisation | None = None) -> QuerySet[Event]:
    """Every event (past, cancelled too) the user sees, in this organisation or all of theirs: see
    .audiences.events_visible_q; with the chat, group, organisation and author; one query."""
    if not (user.is_authenticated and user.is_active):
        return Event.objects.none()
    events = Event.objects.filter(events_visible_q(user))
    if organisation is not None:
        events = events.filter(organisation=organisation)
    return events.select_related("chat", "group", "organisation", "created_by")


def event_get_for(user, organisation: Organisation, pk) -> Event:
    """An event of the organisation the user sees; any other is not found."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("Событие не найдено.")) from None
    event = events_visible_for_user(user, organisation).filter(pk=pk).first()
    if event is None:
        raise NotFound(_("Событие не найдено."))
    return event


def event_can_cancel(user, event: Event) -> bool:
    """Its creator, the organisation's administrators, the chat's owners or the class's curator."""
    if not (user.is_authenticated and user.is_active):
        return False
    if event.created_by_id == user.pk or is_admin(user, event.organisation_id):
        return True
    if event.chat_id:
        return chat_role(user, event.chat) == ChatMember.Role.OWNER
    return is_curator(user, event.group)


def event_cancel(*, event: Event, actor, now=None) -> Event:
    """Its creator, the chat's owners (the class's curator for a class), and the organisation's administrators
    cancel an event that has not started; a cancelled event is never reminded."""
    now = now or timezone.now()
    if not event_can_cancel(actor, event):
        who = _("владелец чата") if event.chat_id else _("классный руководитель (куратор)")
        raise PermissionDenied(_("Отменить событие может его автор, %(who)s или администратор.") % {"who": who})
    if event.cancelled_at is not None:
        return event
    if event.starts_at <= now:
        raise RuleViolation(_("Событие уже началось: отменить его нельзя."), code="started")
    # Conditional UPDATE: a second cancellation at the same moment keeps the first time.
    Event.objects.filter(pk=event.pk, cancelled_at__isnull=True).update(cancelled_at=now)
    event.refresh_from_db(fields=["cancelled_at"])
    return event


def events_upcoming_for_user(user, organisation: Organisation | None = None, now=None) -> QuerySet[Event]:
    """Events not cancelled and not yet started that the user sees (see events_visible_for_user), soonest first;
    one query."""
    now = now or timezone.now()
    events = events_visible_for_user(user, organisation).filter(cancelled_at__isnull=True, starts_at__gt=now)
    return events.order_by("starts_at", "pk")


def events_past_for_user(user, organisation: Organisation, now=None) -> QuerySet[Event]:
    """Events that have started (cancelled ones left out) that the user sees, latest first."""
    now = now or timezone.now()
    events = events_visible_for_user(user, organisation).filter(cancelled_at__isnull=True, starts_at__lte=now)
    return events.order_by("-starts_at", "-pk")


def event_local_start(event: Event) -> str:
    """The start in the organisation's time zone, as people there read it: «25.11.2026 в 18:00 (Москва (UTC+3))»."""
    organisation = event.organisation
    local = event.starts_at.astimezone(ZoneInfo(organisation.time_zone))
    return f"{local:%d.%m.%Y} в {local:%H:%M} ({organisation.get_time_zone_display()})"


def _reminder_text(event: Event) -> str:
    lines = [
        f"Напоминание: {event.get_kind_display()} «{inner_quotes(event.title)}» — {event_local_start(event)}, "
        f"{event.duration_minutes} мин.",
    ]
    if event.video_url:
        lines.append(f"Ссылка для подключения: {event.video_url}")
    if event.description:
        lines.append(event.description)
    return "\n".join(lines)


def _post_reminder(chat: Chat, author, text: str) -> None:
    if author is not None and can_post(author, chat):
        message_post(chat=chat, actor=author, text=text)
    elif not chat.is_archived:
        # The author cannot post here (left the chat, or it is a channel they do not own): the portal posts.
        Message.objects.create(chat=chat, author=None, text=text)


def _remind(event: Event) -> None:
    """Post the reminder in the chat (for a group: the class chat or staff channel, when there is one) and e-mail
    the audience; inside the claiming transaction."""
    text = _reminder_text(event)
    if event.chat_id:
        chat = event.chat
        people = ChatMember.objects.filter(chat=chat, left_at__isnull=True, user__is_active=True).values("user_id")
        addresses = User.objects.filter(pk__in=people)
        where = {"chat_title": inner_quotes(chat.title)}
    else:
        chat = reminder_chat(event)
        # A parents' meeting is for the parents: the students see it in their list but get no letter.
        addresses = group_people(event.group, parents_only=event.kind == Event.Kind.PARENTS_MEETING)
        where = {"audience": audience_label(event)}
    if chat is not None:
        _post_reminder(chat, event.created_by, text)
    addresses = addresses.exclude(email__isnull=True).exclude(email="").order_by("pk").values_list("email", flat=True)
    letter = letter_render(
        "event_reminder",
        {
            "organisation_name": event.organisation.short_name,
            "kind": event.get_kind_display(),
            "title": inner_quotes(event.title),
            "text": text,
            **where,
        },
    )
    # One letter per person: members do not see each other's addresses.
    for address in addresses:
        email_after_commit(**letter, recipients=[address])


def events_send_reminders(now=None) -> int:
    """Send every due reminder once: each event is claimed by a conditional UPDATE inside the transaction that
    posts it, so a concurrent worker's UPDATE waits for it and then matches nothing; a failed send rolls the claim
    back for the next run. Returns how many reminders this run sent."""
    now = now or timezone.now()
    due = list(
        Event.objects.filter(
            reminded_at__isnull=True, cancelled_at__isnull=True, remind_at__lte=now, starts_at__gt=now - REMINDER_GRACE
        )
        .order_by("remind_at", "pk")
        .values_list("pk", flat=True)
    )
    sent = 0
    for pk in due:
        try:
            with transaction.atomic():
                claimed = Event.objects.filter(pk=pk, reminded_at__isnull=True, cancelled_at__isnull=True).update(
                    reminded_at=now
                )
                if not claimed:
                    continue
                _remind(Event.objects.select_related("organisation", "chat", "group", "created_by").get(pk=pk))
            sent += 1
        except Exception:  # one broken event must not hold back the others; it is retried on the next run
            logger.exception("Reminder of event %s failed", pk)
    return sent
