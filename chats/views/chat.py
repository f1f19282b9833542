"""The chat pages: the list of one's chats with unread counts, a chat with its messages, polls and forms."""

from collections import defaultdict
from types import SimpleNamespace

from django.contrib import messages as flash
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from orgs.web import enter_organisation, org_page
from portal.exceptions import NotFound
from portal.web import perform

from ..forms import EditForm, MessageForm
from ..models import Chat, Message, Report
from ..permissions import may_moderate, may_pin, may_post, muted_notice, standing
from ..selectors import (
    PAGE_ROWS,
    ChatList,
    chat_page_facts,
    chat_page_rows,
    moderation_open_count,
    page_messages,
    pinned_messages,
    polls_results,
    with_files,
)
from ..services.messages import (
    chat_get_for,
    chat_mark_read,
    chat_mark_seen,
    message_delete,
    message_edit,
    message_get,
    message_post,
)
from ..services.polls import poll_get, poll_vote

User = get_user_model()

# The words of every row's buttons, translated once per page rather than once per row.
ACTION_WORDS = {
    "delete": gettext_lazy("Удалить"),
    "report": gettext_lazy("Пожаловаться"),
    "pin": gettext_lazy("Закрепить"),
    "unpin": gettext_lazy("Открепить"),
}
PAGE_SIZE = PAGE_ROWS
FRAGMENT_LIMIT = 100

SECTIONS = (
    ("channels", gettext_lazy("Каналы"), Chat.CHANNEL_KINDS),
    ("class", gettext_lazy("Чаты %(groups)s"), (Chat.Kind.CLASS,)),  # «Чаты классов», «Чаты групп»
    ("parents", gettext_lazy("Чаты родителей"), (Chat.Kind.CLASS_PARENTS,)),
    ("teachers", gettext_lazy("Чаты педагогов"), (Chat.Kind.CLASS_TEACHERS,)),
    ("subject", gettext_lazy("Чаты по предметам"), (Chat.Kind.SUBJECT,)),
)
OTHER_SECTION = ("other", gettext_lazy("Другие чаты"))


@org_page()
@require_GET
def chat_list(request, org):
    # The rows of the API's list (one's own chats, administrators' too), as objects for the template.
    chats = [SimpleNamespace(pk=row["id"], **row) for row in ChatList(request.user, org)]
    by_section = defaultdict(list)
    for chat in chats:
        key = next((key for key, _label, kinds in SECTIONS if chat.kind in kinds), OTHER_SECTION[0])
        by_section[key].append(chat)
    sections = [
        {"key": key, "label": label % {"groups": org.vocabulary.groups_genitive}, "chats": by_section[key]}
        for key, label in [(k, lbl) for k, lbl, _kinds in SECTIONS] + [OTHER_SECTION]
        if by_section[key]
    ]
    reports_open = moderation_open_count(request.user, org)
    return render(request, "chats/list.html", {"sections": sections, "reports_open": reports_open})


def chat_for_page(request, chat_id) -> Chat:
    """The chat for a page of it, if the user may read it (else 404), with the organisation entered."""
    try:
        chat = chat_get_for(request.user, chat_id, reading=request.method in ("GET", "HEAD"))
    except NotFound:
        raise Http404 from None
    if request.method not in ("GET", "HEAD"):
        chat = Chat.objects.select_related("organisation", "group").get(pk=chat.pk)
    # The organisation's navigation, vocabulary and verified-teacher badges on this page.
    enter_organisation(request, chat.organisation)
    return chat


def page_urls(chat: Chat) -> dict:
    """The addresses every message row links to, reversed once for the page, the message's id filled in by the
    template's `message_url` filter (fifty rows asked the URL resolver five times each)."""
    from ..templatetags.chat_page import MESSAGE_ID

    names = ("edit", "delete", "pin", "unpin", "report")
    urls = {name: reverse(f"chats:{name}", args=[chat.pk, int(MESSAGE_ID)]) for name in names}
    return {**urls, "chat": reverse("chats:chat", args=[chat.pk])}


def _rights(request, chat: Chat) -> dict:
    # One standing for every right on the page, instead of a lookup of the same membership row per right.
    s = standing(request.user, chat)
    notice = muted_notice(s, chat)
    return {
        "can_post": may_post(s, chat),
        "can_moderate": may_moderate(s),
        "can_vote": s.role is not None and not chat.is_archived and notice is None,
        "mute_notice": notice,
        "can_pin": may_pin(s, chat),
        "report_reasons": Report.Reason.choices,
        "urls": page_urls(chat),
        "words": {key: str(word) for key, word in ACTION_WORDS.items()},
    }


def _with_polls(rows: list[Message], viewer) -> list[Message]:
    """Attach `poll_view` (chats.selectors.polls_results: what the API answers too) to the messages with a poll."""
    polls = {}
    for message in rows:
        message.poll_view = None
        try:
            polls[message.pk] = message.poll
        except Message.poll.RelatedObjectDoesNotExist:
            continue
    results = polls_results(polls.values(), viewer)
    for message in rows:
        if message.pk in polls:
            message.poll_view = results[polls[message.pk].pk]
    return rows


def _messages_qs(chat: Chat):
    return page_messages(chat.pk)


def _drawable(rows: list[Message], viewer, *, any_files=True) -> list[Message]:
    """The rows with what their drawing needs: `files` (selectors.with_files; no query when the page's facts say
    that none of the rows has any) and `poll_view` (see _with_polls)."""
    if any_files:
        with_files(rows)
    else:
        for message in rows:
            message.files = []
    return _with_polls(rows, viewer)


_EMPTY_COMPOSER: dict[tuple, str] = {}


def _composer_fields(form: MessageForm) -> str | None:
    """The composer's fields as HTML when nothing is prefilled (no reply, no draft): then they are the same for
    everyone of a language, and drawn once per process. A reply or a draft is drawn on each request (None)."""
    if form.initial.get("reply_to") or form.initial.get("text"):
        return None
    key = (get_language(), form.fields["files"].help_text)
    html = _EMPTY_COMPOSER.get(key)
    if html is None:
        html = _EMPTY_COMPOSER[key] = render_to_string("includes/form_fields.html", {"form": form})
    return html


@login_required
@require_GET
def chat_page(request, chat_id):
    chat = chat_for_page(request, chat_id)
    before = request.GET.get("before", "")
    rows = chat_page_rows(chat, int(before) if before.isdigit() else None)
    has_earlier = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    rows.reverse()
    latest = not before.isdigit()
    facts = chat_page_facts(chat, request.user, [m.pk for m in rows])
    newest_id = rows[-1].pk if rows else 0
    if latest and (facts.last_read is None or facts.last_read < newest_id):  # the newest row is on the page
        chat_mark_seen(chat=chat, actor=request.user, newest_id=newest_id)
    rights = _rights(request, chat)
    reply_to = None
    reply_id = request.GET.get("reply", "")
    if rights["can_post"] and reply_id.isdigit():
        reply_to = _messages_qs(chat).filter(pk=int(reply_id), deleted_at__isnull=True).first()
    # The text of a post that failed (a refused file, a full disk) comes back into the box: nothing typed is lost.
    draft = request.session.pop(_draft_key(chat), "")
    form = MessageForm(initial={"reply_to": reply_to.pk if reply_to else None, "text": draft})
    # One report form for the message chosen with «Пожаловаться» (?report=id), not one form per message on the page.
    report_to = None
    report_id = request.GET.get("report", "")
    if report_id.isdigit():
        report_to = (
            _messages_qs(chat)
            .filter(pk=int(report_id), deleted_at__isnull=True, author__isnull=False)
            .exclude(author=request.user)
            .first()
        )
    context = {
        "chat": chat,
        "rows": _drawable(rows, request.user, any_files=facts.any_files),
        "earlier_cursor": rows[0].pk if has_earlier and rows else None,
        "latest": latest,
        "last_id": rows[-1].pk if rows else 0,
        "form": form,
        "composer_fields": _composer_fields(form) if rights["can_post"] else None,
        "reply_to": reply_to,
        "report_to": report_to,
        "member_count": facts.member_count,
        "pinned": pinned_messages(chat) if facts.any_pinned else [],
        "any_upcoming": facts.any_upcoming,
        "verified_ids": facts.verified_ids,  # read with the facts: the context processor's query is not made
        **rights,
    }
    return render(request, "chats/chat.html", context)


@login_required
@require_GET
def chat_fragment(request, chat_id):
    """The rows newer than `after`, as HTML rendered (and escaped) by the same template as the page."""
    chat = chat_for_page(request, chat_id)
    after = request.GET.get("after", "")
    if not after.isdigit():
        raise Http404
    rows = list(_messages_qs(chat).filter(pk__gt=int(after)).order_by("pk")[:FRAGMENT_LIMIT])
    if rows:
        chat_mark_read(chat=chat, actor=request.user, message_id=rows[-1].pk)
    context = {"chat": chat, "rows": _drawable(rows, request.user), **_rights(request, chat)}
    return render(request, "chats/fragment.html", context)


def _draft_key(chat: Chat) -> str:
    return f"chat-draft-{chat.pk}"


def _to_chat(chat: Chat, message_id=None):
    url = reverse("chats:chat", args=[chat.pk])
    return redirect(f"{url}#m{message_id}" if message_id else url)


@login_required
@require_POST
def message_post_view(request, chat_id):
    chat = chat_for_page(request, chat_id)
    form = MessageForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            flash.error(request, " ".join(errors))
        return _to_chat(chat)
    message, ok = perform(
        request,
        lambda: message_post(
            chat=chat,
            actor=request.user,
            text=form.cleaned_data["text"],
            reply_to=form.cleaned_data["reply_to"],
            files=form.cleaned_data["files"],
        ),
        "",
    )
    if not ok and form.cleaned_data["text"]:
        request.session[_draft_key(chat)] = form.cleaned_data["text"]
    return _to_chat(chat, message.pk if ok else None)


def _message_or_404(chat: Chat, message_id) -> Message:
    try:
        return message_get(chat, message_id)
    except NotFound:
        raise Http404 from None


@login_required
@require_POST
def message_edit_view(request, chat_id, message_id):
    chat = chat_for_page(request, chat_id)
    message = _message_or_404(chat, message_id)
    message.chat = chat
    form = EditForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            flash.error(request, " ".join(errors))
        return _to_chat(chat, message.pk)
    perform(
        request,
        lambda: message_edit(message=message, actor=request.user, text=form.cleaned_data["text"]),
        _("Сообщение изменено."),
    )
    return _to_chat(chat, message.pk)


@login_required
@require_POST
def message_delete_view(request, chat_id, message_id):
    chat = chat_for_page(request, chat_id)
    message = _message_or_404(chat, message_id)
    message.chat = chat
    perform(request, lambda: message_delete(message=message, actor=request.user), _("Сообщение удалено."))
    return _to_chat(chat, message.pk)


@login_required
@require_POST
def poll_vote_view(request, chat_id, poll_id):
    chat = chat_for_page(request, chat_id)
    try:
        poll = poll_get(chat, poll_id)
    except NotFound:
        raise Http404 from None
    option_ids = [int(v) for v in request.POST.getlist("option") if v.isdigit()]
    perform(request, lambda: poll_vote(poll=poll, actor=request.user, option_ids=option_ids), _("Ваш голос учтён."))
    return _to_chat(chat, poll.message_id)
