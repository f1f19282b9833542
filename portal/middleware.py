"""The interface language (Russian unless the person chose another one with the language switch), and the default
time zone at the start of every request."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers


def language_from_cookie(request) -> str:
    """The language saved by the switch (/i18n/setlang/) when the portal offers it, else LANGUAGE_CODE."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen:
        try:
            return translation.get_supported_language_variant(chosen)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


class PortalLocaleMiddleware(LocaleMiddleware):
    """LocaleMiddleware that ignores Accept-Language and URL prefixes.

    A browser set to English must not turn a Russian school's portal English on its own: the language
    changes only when the person picks it in the footer, which stores it in the language cookie.
    """

    def process_request(self, request):
        # Pages of an organisation switch to its time zone (orgs.web.enter_organisation); every request
        # starts from the default one, whatever the thread served before.
        timezone.deactivate()
        translation.activate(language_from_cookie(request))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        # The page depends on the cookie only, so caches must key on it and not on Accept-Language.
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        timezone.deactivate()
        return response
