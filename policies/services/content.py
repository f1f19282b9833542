"""The content rules at work: each organisation's rule set (seeded with the regulation's services on first use,
compiled once per change and per process), the check of a text, and the refusal (audit entry without the text, the
day's count, the error citing the regulation's clause).

`chats` asks here; nothing here knows the chats.
"""

import re
import uuid
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orgs.models import Organisation
from orgs.services.audit import audit_record
from portal.exceptions import RuleViolation

from .. import content
from ..citations import clause_reference
from ..content import CompiledRules, Verdict
from ..models import ContentRefusalCount, ContentRuleSet, ForbiddenService
from ..wordlists import DEFAULT_SERVICES

Place = ContentRefusalCount.Place
Rule = ContentRefusalCount.Rule

# organisation id -> (stamp of its rule set, the rules compiled). One query per check asks for the stamp, so that a
# change made by another process is seen at the next check.
_compiled: dict[int, tuple[object, CompiledRules]] = {}

_PREFIX = {
    Place.MESSAGE: gettext_lazy("Сообщение не отправлено."),
    Place.EDIT: gettext_lazy("Изменение не сохранено."),
    Place.CHAT_TITLE: gettext_lazy("Название чата не сохранено."),
    Place.POLL: gettext_lazy("Опрос не создан."),
    Place.FILE_NAME: gettext_lazy("Файл не отправлен: его имя нарушает правила."),
}


# --- rule sets ---------------------------------------------------------------------------------------------------


def rule_set_ensure(organisation_id: int) -> ContentRuleSet:
    """The organisation's rule set; created with the regulation's services when it has none yet."""
    rule_set = ContentRuleSet.objects.filter(organisation_id=organisation_id).first()
    if rule_set is not None:
        return rule_set
    try:
        with transaction.atomic():
            rule_set = ContentRuleSet.objects.create(organisation_id=organisation_id)
            ForbiddenService.objects.bulk_create(
                [
                    ForbiddenService(
                        organisation_id=organisation_id,
                        name=s["name"],
                        domains=list(s["domains"]),
                        name_forms=list(s["name_forms"]),
                    )
                    for s in DEFAULT_SERVICES
                ]
            )
    except IntegrityError:
        # Two first uses at once: the other one seeded the set.
        rule_set = ContentRuleSet.objects.get(organisation_id=organisation_id)
    return rule_set


def compiled_rules(organisation_id: int) -> CompiledRules:
    """The organisation's rules compiled, from this process's copy while the rule set has not changed."""
    stamp = ContentRuleSet.objects.filter(organisation_id=organisation_id).values_list("stamp", flat=True).first()
    if stamp is None:
        stamp = rule_set_ensure(organisation_id).stamp
    cached = _compiled.get(organisation_id)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    services = ForbiddenService.objects.filter(organisation_id=organisation_id, enabled=True).order_by("pk")
    rules = content.compile_rules(services)
    _compiled[organisation_id] = (stamp, rules)
    return rules


def rules_changed(organisation_id: int) -> None:
    """A new stamp for the rule set: every process recompiles at its next check."""
    ContentRuleSet.objects.filter(organisation_id=organisation_id).update(stamp=uuid.uuid4(), updated_at=timezone.now())
    _compiled.pop(organisation_id, None)


def text_check(organisation: Organisation | int, text: str) -> Verdict:
    """The verdict of the organisation's content rules on a text: allowed, flagged or refused (and why)."""
    organisation_id = getattr(organisation, "pk", organisation)
    return content.check(compiled_rules(organisation_id), text or "")


def text_allowed(organisation: Organisation | int, text: str) -> bool:
    """Whether the text may be written (a flagged text may)."""
    return not text_check(organisation, text).refused


# --- refusals ----------------------------------------------------------------------------------------------------


def refusal_message(organisation: Organisation, verdict: Verdict, place: str) -> str:
    """The Russian explanation of a refusal, citing the clause of the regulation."""
    clause = clause_reference(organisation, verdict.rule)
    if verdict.rule == content.PROFANITY:
        reason = _("Нецензурная и бранная лексика на платформе запрещена (%(clause)s).") % {"clause": clause}
    elif verdict.evidence == content.LINK:
        reason = _(
            "Ссылки на сервис «%(service)s» запрещены: общение участников образовательного процесса ведётся только "
            "на платформе организации (%(clause)s)."
        ) % {"service": verdict.service, "clause": clause}
    else:
        reason = _(
            "Призывать перейти в сервис «%(service)s» запрещено: общение участников образовательного процесса "
            "ведётся только на платформе организации (%(clause)s)."
        ) % {"service": verdict.service, "clause": clause}
    return f"{_PREFIX.get(place, _PREFIX[Place.MESSAGE])} {reason}"


def _count_refusal(organisation: Organisation, rule: str, place: str) -> None:
    day = timezone.localdate(timezone.now(), ZoneInfo(organisation.time_zone))
    key = {"organisation": organisation, "day": day, "rule": rule, "place": place}
    # Add to the day's row; the first refusal of the day creates it (and a racing one adds to it instead).
    if ContentRefusalCount.objects.filter(**key).update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            ContentRefusalCount.objects.create(**key, count=1)
    except IntegrityError:
        ContentRefusalCount.objects.filter(**key).update(count=F("count") + 1)


def refusal_record(*, organisation: Organisation, actor, verdict: Verdict, place: str, obj=None) -> None:
    """Write a refusal to the audit log (what rule, which service, where; never the text) and count it."""
    details = {"rule": str(Rule(verdict.rule).label), "where": str(Place(place).label)}
    if verdict.service:
        details["service"] = verdict.service
        details["evidence"] = _("ссылка") if verdict.evidence == content.LINK else _("призыв перейти")
    with transaction.atomic():
        audit_record(organisation=organisation, actor=actor, action="content.refused", obj=obj, details=details)
        _count_refusal(organisation, verdict.rule, place)


def texts_enforce(
    *, organisation: Organisation, actor, texts: Iterable[str], place: str, field: str, obj=None
) -> Verdict:
    """Check the texts of one thing being written: the first refused one is recorded and raised as a RuleViolation
    (400) citing the regulation; otherwise the verdict is flagged when any text names a service, else allowed.
    Call it before the write's transaction, so that the record of a refusal is kept."""
    rules = compiled_rules(organisation.pk)
    result = Verdict()
    for text in texts:
        verdict = content.check(rules, text or "")
        if verdict.refused:
            refusal_record(organisation=organisation, actor=actor, verdict=verdict, place=place, obj=obj)
            message = refusal_message(organisation, verdict, place)
            raise RuleViolation(message, code=f"content_{verdict.rule}", fields={field: [message]})
        if verdict.flagged and not result.flagged:
            result = verdict
    return result


# --- the list of forbidden services ------------------------------------------------------------------------------

_DOMAIN = re.compile(r"^(?:[a-z0-9-]+://|[\w-]+(?:\.[\w-]+)+(?:/[\w\-./]*)?)$")
_FORM = re.compile(r"^[^\W\d_][\w\- ]*$")
MAX_ITEMS = 50


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = re.split(r"[\n,;]+", value)
    return [str(v).strip() for v in value if str(v).strip()]


def clean_domains(value) -> list[str]:
    cleaned = []
    for raw in _as_list(value):
        domain = raw.casefold()
        domain = re.sub(r"^https?://", "", domain)
        domain = re.sub(r"^www\.", "", domain).rstrip("/") if "://" not in domain else domain
        if len(domain) > 100 or not _DOMAIN.match(domain):
            msg = _("«%(value)s» — не домен и не ссылка сервиса (пример: t.me или chat.whatsapp.com).") % {
                "value": raw[:100]
            }
            raise RuleViolation(msg, code="domain", fields={"domains": [msg]})
        if domain not in cleaned:
            cleaned.append(domain)
    if len(cleaned) > MAX_ITEMS:
        msg = _("Не больше %(n)s доменов.") % {"n": MAX_ITEMS}
        raise RuleViolation(msg, code="too_many", fields={"domains": [msg]})
    return cleaned


def clean_forms(value) -> list[str]:
    cleaned = []
    for raw in _as_list(value):
        form = " ".join(raw.casefold().split())
        if len(form) < 2 or len(form) > 50 or not _FORM.match(form):
            msg = _("«%(value)s» — форма названия должна состоять из букв (от 2 до 50 символов).") % {"value": raw[:50]}
            raise RuleViolation(msg, code="name_form", fields={"name_forms": [msg]})
        if form not in cleaned:
            cleaned.append(form)
    if len(cleaned) > MAX_ITEMS:
        msg = _("Не больше %(n)s форм названия.") % {"n": MAX_ITEMS}
        raise RuleViolation(msg, code="too_many", fields={"name_forms": [msg]})
    return cleaned
