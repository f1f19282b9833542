"""Acceptance of the organisation's user agreement together with the consent to the processing of personal data."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.exceptions import PermissionDenied, RuleViolation
from portal.request_context import client_ip

from ..models import TermsAcceptance
from ..selectors_ack import terms_pending_for


def terms_accept(*, actor, agree: bool, personal_data_consent: bool, version_ids=None) -> list[TermsAcceptance]:
    """The person accepts every user agreement that waits for them (or those named) and consents to the processing
    of their personal data; both ticks are required. Accepting twice is harmless."""
    errors = {}
    if not agree:
        errors["agree"] = [_("Примите пользовательское соглашение.")]
    if not personal_data_consent:
        errors["personal_data_consent"] = [_("Дайте согласие на обработку персональных данных.")]
    if errors:
        raise RuleViolation(
            _("Чтобы продолжить, примите соглашение и дайте согласие на обработку персональных данных."),
            code="consent_required",
            fields=errors,
        )
    if not actor.is_authenticated:
        raise PermissionDenied(_("Войдите, чтобы принять соглашение."))
    pending = terms_pending_for(actor)
    if version_ids is not None:
        pending = pending.filter(pk__in=version_ids)
    accepted = []
    for version in pending:
        try:
            with transaction.atomic():
                accepted.append(
                    TermsAcceptance.objects.create(
                        version=version, user=actor, personal_data_consent=True, address=client_ip.get()
                    )
                )
        except IntegrityError:
            continue  # accepted in another tab a moment ago
    return accepted
