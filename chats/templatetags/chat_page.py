"""The chat page's per-message links, built from patterns reversed once per page (chats.views.chat.page_urls)."""

import secrets
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
    # Kept on the instance for the rest of the request (its names and the page's verified set do not change within
    # it): a poll's voters are the same few person objects on every one of its votes.
    key = user.__dict__.get("_row_person_key")
    if key is None:
        key = user.__dict__["_row_person_key"] = (user.pk, user.full_name, user.short_name, user.pk in verified)
    return key


def _files_key(files) -> tuple:
    return tuple((f.pk, f.chat_id, f.kind, f.thumbnail.name, f.width, f.height, f.original_name, f.size) for f in files)


def _body_key(m, verified) -> tuple:
    reply = m.reply_to
    files = () if m.is_deleted or m.poll_view else tuple(m.files)
    return (
        m.pk,
        m.text,
        m.is_deleted,
        m.edited_at,
        m.pinned_at,
        m.created_at,
        bool(m.poll_view),
        _person_key(m.author, verified),
        (reply.pk, reply.text, reply.is_deleted, _person_key(reply.author, verified)) if reply else None,
        _files_key(files),
        translation.get_language(),
        timezone.get_current_timezone_name(),
    )


@register.simple_tag(takes_context=True)
def message_body(context, m):
    verified = context.get("verified_ids") or ()
    files = () if m.is_deleted or m.poll_view else tuple(m.files)
    key = _body_key(m, verified)
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


# The whole row (chats/_message.html) as this viewer sees it, kept like its parts: the key is the common part's key
# plus everything the rest of the row shows — whether it is the viewer's own row (the edit form with its text),
# the viewer's rights on the page, the poll as the viewer sees it (options, counts, voters, the viewer's choice,
# closed or not) — so a vote, a new right or an edit makes a new key. The forms' CSRF tokens are not kept: a row is
# drawn with a random stand-in, kept as the pieces between the stand-ins, and joined with this request's token.
ROW_FIELDS = ("can_post", "can_moderate", "can_pin", "can_vote")


def _poll_key(pv, verified) -> tuple | None:
    """The poll as this viewer sees it: one version of its votes and its voters' names (chats.selectors.polls_results),
    closed or not, the viewer's choice and which of its voters wear the verified teacher's badge."""
    if not pv:
        return None
    return (
        pv["id"],
        pv["version"],
        pv["question"],
        pv["closes_at"],
        pv["closed"],
        tuple(o["id"] for o in pv["options"] if o["chosen"]),
        pv["voter_ids"] & verified,
    )


def _row_key(m, page: tuple, viewer_id, verified) -> tuple:
    mine = m.author_id == viewer_id
    poll = None if m.is_deleted else _poll_key(m.poll_view, verified)
    files = _files_key(m.files) if poll else ()
    return (_body_key(m, verified), page, mine, mine and m.text, poll, files)


@register.simple_tag(takes_context=True)
def chat_rows(context, rows):
    """Every row of the page or fragment: each drawn by chats/_message.html once per state and viewer's view of it,
    then taken from the cache."""
    user = context.get("user")
    verified = frozenset(context.get("verified_ids") or ())  # read once: looked up per person below
    urls = context.get("urls") or {}
    page = (
        "row",
        tuple(bool(context.get(name)) for name in ROW_FIELDS),
        context["chat"].pk,
        urls.get("chat"),
    )
    token = None
    out = []
    for m in rows:
        key = _row_key(m, page, user.pk, verified)
        pieces = _BODY_CACHE.get(key)
        if pieces is None:
            pieces = _draw_row(context, m)
            _remember(key, pieces)
        else:
            _touch(key)
        if len(pieces) > 1 and token is None:
            token = str(context.get("csrf_token"))
        out.append(token.join(pieces) if len(pieces) > 1 else pieces[0])
    return mark_safe("".join(out))


def _draw_row(context, m) -> tuple:
    stand_in = secrets.token_hex(16)
    flat = context.flatten()
    flat.update({"m": m, "csrf_token": stand_in})
    html = get_template("chats/_message.html").render(flat)
    return tuple(html.split(stand_in))
