"""Until a person accepts their organisation's user agreement, every page sends them to accept it; and a person
with documents to acknowledge sees a banner. Both come from one query per page (policies.selectors_ack.gate_for).

The API answers 403 «terms_not_accepted» instead (policies.api.gate), so it is left alone here, as are the
sign-in pages, the account safety pages, files and the operator's admin."""

from urllib.parse import urlencode

from django.db import DatabaseError
from django.shortcuts import redirect
from django.urls import reverse

from .selectors_ack import Gate, gate_for

EXEMPT_PREFIXES = ("/api/", "/static/", "/media/", "/admin/", "/i18n/", "/accounts/", "/healthz", "/favicon")


class PolicyGateMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        terms = reverse("policies:terms")
        request.policy_gate = self._gate(request, terms)
        if request.policy_gate.must_accept_terms:
            target = terms
            if request.method == "GET":
                target += "?" + urlencode({"next": request.get_full_path()})
            return redirect(target)
        return self.get_response(request)

    @staticmethod
    def _gate(request, terms: str) -> Gate:
        path = request.path_info
        if path.startswith(EXEMPT_PREFIXES) or path == terms:
            return Gate()
        try:
            user = getattr(request, "user", None)
            if user is None or not user.is_authenticated:
                return Gate()
            return gate_for(user)
        except DatabaseError:
            # The database is down: the view meets it too and the outage page answers; no gate to keep then.
            return Gate()
