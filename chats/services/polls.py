"""Polls: posted with a message; members vote once (or for several options in a multiple-choice poll)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.exceptions import NotFound, PermissionDenied, RuleViolation

from ..models import Chat, Message, Poll, PollOption, PollVote, poll_version
from ..permissions import can_read, chat_role, mute_notice
from .content import Place, content_enforce, content_flag
from .messages import clean_text, require_post

MAX_OPTIONS = 20


def poll_create(
    *,
    chat: Chat,
    actor,
    question: str,
    options: list[str],
    multiple: bool = False,
    anonymous: bool = False,
    closes_at=None,
    text: str = "",
) -> Poll:
    """A poll and the message that carries it, in one transaction."""
    require_post(actor, chat)
    question = clean_text(question, field="question")
    if len(question) > 300:
        raise RuleViolation(
            _("Вопрос длиннее 300 символов."), code="too_long", fields={"question": [_("Не длиннее 300.")]}
        )
    cleaned = [(o or "").strip() for o in options]
    cleaned = [o for o in cleaned if o]
    if len(cleaned) < 2 or len(cleaned) > MAX_OPTIONS:
        msg = _("Нужно от 2 до %(limit)s вариантов ответа.") % {"limit": MAX_OPTIONS}
        raise RuleViolation(msg, code="options", fields={"options": [msg]})
    if len(set(cleaned)) != len(cleaned):
        raise RuleViolation(
            _("Варианты повторяются."), code="options", fields={"options": [_("Варианты повторяются.")]}
        )
    if any(len(o) > 200 for o in cleaned):
        raise RuleViolation(
            _("Вариант длиннее 200 символов."), code="options", fields={"options": [_("Не длиннее 200.")]}
        )
    if closes_at is not None and closes_at <= timezone.now():
        raise RuleViolation(
            _("Время закрытия уже прошло."), code="closes_at", fields={"closes_at": [_("Укажите время в будущем.")]}
        )
    # The question, the options and the words with the poll, each refused with a message beside its own field.
    verdicts = [
        content_enforce(
            organisation=chat.organisation, actor=actor, texts=texts, place=Place.POLL, field=field, chat=chat
        )
        for field, texts in (("question", [question]), ("options", cleaned), ("text", [(text or "").strip()]))
    ]
    flagged = next((v for v in verdicts if v.flagged), verdicts[0])
    with transaction.atomic():
        message = Message.objects.create(chat=chat, author=actor, text=(text or "").strip() or question)
        poll = Poll.objects.create(
            message=message, question=question, multiple=multiple, anonymous=anonymous, closes_at=closes_at
        )
        PollOption.objects.bulk_create([PollOption(poll=poll, text=o, position=n) for n, o in enumerate(cleaned)])
        content_flag(message=message, verdict=flagged)
    return poll


def poll_get(chat: Chat, pk) -> Poll:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound(_("Опрос не найден.")) from None
    poll = Poll.objects.filter(pk=pk, message__chat=chat).select_related("message__chat").first()
    if poll is None:
        raise NotFound(_("Опрос не найден."))
    return poll


def poll_vote(*, poll: Poll, actor, option_ids: list[int]) -> Poll:
    """Vote as an active member of the chat. In a single-choice poll a new vote replaces the old one;
    in a multiple-choice poll the chosen set replaces the previous set."""
    chat = poll.message.chat
    if chat_role(actor, chat) is None:
        if can_read(actor, chat):
            raise PermissionDenied(_("Голосовать могут только участники чата."))
        raise NotFound(_("Опрос не найден."))
    if chat.is_archived:
        raise PermissionDenied(_("Чат в архиве: голосовать нельзя."))
    notice = mute_notice(actor, chat)
    if notice:
        raise PermissionDenied(notice, code="muted")
    if poll.message.is_deleted:
        raise RuleViolation(_("Опрос удалён."), code="deleted")
    option_ids = list(dict.fromkeys(option_ids))
    if not option_ids:
        raise RuleViolation(_("Выберите вариант ответа."), code="empty", fields={"options": [_("Выберите вариант.")]})
    if not poll.multiple and len(option_ids) > 1:
        raise RuleViolation(
            _("В этом опросе можно выбрать только один вариант."),
            code="single_choice",
            fields={"options": [_("Только один вариант.")]},
        )
    given = poll
    with transaction.atomic():
        # The poll row is the lock: two votes of one person never both pass the single-choice check.
        poll = Poll.objects.select_for_update().select_related("message__chat").get(pk=poll.pk)
        if poll.is_closed():
            raise RuleViolation(_("Опрос закрыт."), code="poll_closed")
        options = list(PollOption.objects.filter(poll=poll, pk__in=option_ids))
        if len(options) != len(option_ids):
            raise RuleViolation(
                _("Такого варианта в опросе нет."),
                code="option_not_found",
                fields={"options": [_("Вариант не найден.")]},
            )
        PollVote.objects.filter(option__poll=poll, user=actor).exclude(option__in=options).delete()
        existing = set(PollVote.objects.filter(option__in=options, user=actor).values_list("option_id", flat=True))
        PollVote.objects.bulk_create([PollVote(option=o, user=actor) for o in options if o.pk not in existing])
        # A new version with the votes, in their transaction: the results kept under the old one are not read again
        # (chats.selectors.polls_results). The caller's instance gets it too, for the results it shows next.
        poll.version = given.version = poll_version()
        Poll.objects.filter(pk=poll.pk).update(version=poll.version)
    return poll


def polls_renew_for_voter(*, user_id: int) -> int:
    """Give every poll the person voted in a new version: their name changed, or their votes go with their account.
    The results kept under the old versions (chats.selectors.polls_results) are then not read again."""
    voted = PollVote.objects.filter(user_id=user_id).values("option__poll_id")
    return Poll.objects.filter(pk__in=voted).update(version=poll_version())
