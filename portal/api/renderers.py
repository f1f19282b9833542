"""The browsable API (the HTML a browser gets from /api/v1/) under the portal's CSP."""

from rest_framework.renderers import BrowsableAPIRenderer as DrfBrowsableAPIRenderer


class BrowsableAPIRenderer(DrfBrowsableAPIRenderer):
    """DRF's browsable API, whose templates carry a few inline styles (style attributes, the code highlighting).

    Its scripts are static files already, so only inline styles are let through, and only on these pages: the
    rest of the CSP (no inline script, nothing from another host) stays. The data shown is escaped JSON.
    """

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response._csp_update = {"style-src": ["'unsafe-inline'"]}  # read by csp.middleware.CSPMiddleware
        return super().render(data, accepted_media_type, renderer_context)
