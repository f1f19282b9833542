import re

from django.core import paginator
from rest_framework import pagination
from rest_framework.exceptions import NotFound


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500  # a larger page_size gives this many (DRF's cap), with a link to the next page


class ShortListPaginator(paginator.Paginator):
    """Django's paginator without the count query where the first page tells the count: a first page shorter than
    a page is the whole list. Otherwise (a full first page, another page, «last») it counts as Django's does."""

    def page(self, number):
        if str(number) != "1" or "count" in self.__dict__:
            return super().page(number)
        rows = list(self.object_list[: self.per_page + 1])  # one row more: is there a second page?
        if len(rows) <= self.per_page:
            self.__dict__["count"] = len(rows)  # the cached_property's value
        return self._get_page(rows[: self.per_page], self.validate_number(1), self)


class ShortListPagination(PageNumberPagination):
    """Page numbers, counting only when the list is longer than its first page: for lists that usually fit in a
    page (one's chats). The same responses as PageNumberPagination."""

    django_paginator_class = ShortListPaginator


class IdCursorPagination(pagination.CursorPagination):
    """Cursor pagination ordered by an integer id; a cursor whose position is not a number is an invalid cursor
    (404, as any damaged cursor), not a database error (500)."""

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        if cursor is not None and cursor.position is not None and not re.fullmatch(r"[0-9]{1,20}", cursor.position):
            raise NotFound(self.invalid_cursor_message)
        return cursor
