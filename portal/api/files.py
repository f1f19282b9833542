"""Files answered by the API (PDF, CSV, XLSX): the file whatever the client asks for, errors in the one JSON shape."""

from rest_framework.negotiation import BaseContentNegotiation


class FileNegotiation(BaseContentNegotiation):
    """A file is answered whatever Accept or ?format= say (?format= may pick the file's format); errors are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
