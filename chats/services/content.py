"""The content rules of the organisation (policies) applied to what people write in chats: a refused text never
reaches the chat; a message naming a forbidden service without a call to go there is posted and put in the
moderation queue as an automatic report."""

from django.utils.translation import gettext as _

from policies.content import Verdict
from policies.services.content import Place, texts_enforce

from ..models import Chat, Message, Report

__all__ = ["Place", "content_enforce", "content_flag"]


def content_enforce(*, organisation, actor, texts, place: str, field: str, chat: Chat | None = None) -> Verdict:
    """Refuse (RuleViolation, audited and counted) or return the verdict: allowed or flagged."""
    texts = [t for t in texts if t]
    if not texts:
        return Verdict()
    return texts_enforce(organisation=organisation, actor=actor, texts=texts, place=place, field=field, obj=chat)


def content_flag(*, message: Message, verdict: Verdict) -> Report | None:
    """An automatic report about a message that names a forbidden service; one open automatic report per message.
    Moderators are told as for any report."""
    if not verdict.flagged:
        return None
    if Report.objects.filter(message=message, automatic=True, status=Report.Status.OPEN).exists():
        return None
    from .moderation import _notify_moderators  # moderation imports the messages services: import on use

    report = Report.objects.create(
        organisation_id=message.chat.organisation_id,
        chat=message.chat,
        message=message,
        reporter=None,
        automatic=True,
        reason=Report.Reason.FORBIDDEN_SERVICE,
        comment=_("Упоминается сервис «%(service)s» из перечня запрещённых (без призыва перейти).")
        % {"service": verdict.service},
    )
    _notify_moderators(report)
    return report
