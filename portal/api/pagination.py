import re

from rest_framework import pagination
from rest_framework.exceptions import NotFound


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500  # a larger page_size gives this many (DRF's cap), with a link to the next page


class IdCursorPagination(pagination.CursorPagination):
    """Cursor pagination ordered by an integer id; a cursor whose position is not a number is an invalid cursor
    (404, as any damaged cursor), not a database error (500)."""

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None and not re.fullmatch(r"[0-9]{1,20}", cursor.position):
            raise NotFound(self.invalid_cursor_message)
        return cursor
