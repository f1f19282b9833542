"""The chat page's per-message links, built from patterns reversed once per page (chats.views.chat.page_urls)."""

import threading
from collections import OrderedDict

from django import template
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

register = template.Library()

MESSAGE_ID = "987654321"  # stands for the message's id in the patterns: reversed once, then filled in per message


@register.filter
def message_url(pattern: str, message_id) -> str:
    """The pattern of a message's action with this message's id: `{{ urls.delete|message_url:m.pk }}`."""
    return pattern.replace(MESSAGE_ID, str(message_id))


# The part of a row that is the same for every viewer — its head (author, time, «изменено», «закреплено»), the quoted
# message, and the text and files of a message without a poll, or the deletion mark — drawn once and kept in this
# process. The key holds everything that part shows (texts, names, states, files, language, time zone), so an edit,
# a deletion, a pin, a rename or a new thumbnail makes a new key: nothing is invalidated, an old entry is never shown
# again and falls out of the cache by age. Escaping is the template's own, as before.
_BODY_CACHE: OrderedDict = OrderedDict()
BODY_CACHE_SIZE = 8000
_BODY_LOCK = threading.Lock()


def _person_key(user, verified) -> tuple:
    if user is None:
        return ()
    return (user.pk, user.full_name, user.short_name, user.pk in verified)


@register.simple_tag(takes_context=True)
def message_body(context, m):
    verified = context.get("verified_ids") or ()
    reply = m.reply_to
    files = () if m.is_deleted or m.poll_view else tuple(m.attachments.all())
    key = (
        m.pk,
        m.text,
        m.is_deleted,
        m.edited_at,
        m.pinned_at,
        m.created_at,
        bool(m.poll_view),
        _person_key(m.author, verified),
        (reply.pk, reply.text, reply.is_deleted, _person_key(reply.author, verified)) if reply else None,
        tuple((f.pk, f.chat_id, f.kind, f.thumbnail.name, f.width, f.height, f.original_name, f.size) for f in files),
        translation.get_language(),
        timezone.get_current_timezone_name(),
    )
    html = _BODY_CACHE.get(key)
    if html is None:
        html = mark_safe(
            get_template("chats/_message_body.html").render({"m": m, "files": files, "verified_ids": verified})
        )
        _remember(key, html)
    else:
        _touch(key)
    return html


def _remember(key, html) -> None:
    with _BODY_LOCK:
        _BODY_CACHE[key] = html
        while len(_BODY_CACHE) > BODY_CACHE_SIZE:
            _BODY_CACHE.popitem(last=False)


def _touch(key) -> None:
    with _BODY_LOCK:
        if key in _BODY_CACHE:
            _BODY_CACHE.move_to_end(key)


@register.simple_tag(takes_context=True)
def message_actions(context, m):
    """The actions of another person's row (reply, delete for a moderator, report, pin), the same for every viewer
    with the same rights: kept like the rows' common part, keyed by the rights, the row's state and the language.
    The author's own rows carry the edit form with the CSRF token and are drawn by the template each time."""
    user, urls = context.get("user"), context.get("urls") or {}
    rights = tuple(bool(context.get(name)) for name in ("can_post", "can_moderate", "can_pin"))
    key = (
        "actions",
        m.pk,
        bool(m.author_id),
        m.pinned_at is not None,
        rights,
        urls.get("chat"),
        translation.get_language(),
    )
    html = _BODY_CACHE.get(key)
    if html is None:
        flat = {name: context.get(name) for name in ("can_post", "can_moderate", "can_pin", "urls", "words")}
        html = mark_safe(get_template("chats/_message_actions.html").render({**flat, "m": m, "user": user}))
        _remember(key, html)
    else:
        _touch(key)
    return html
