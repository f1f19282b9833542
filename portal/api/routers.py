"""The one router of the API: every app registers its viewsets on an instance of `Router`."""

from rest_framework.routers import DefaultRouter

ID = r"\d{1,18}"  # an id in a path: a number that fits a bigint column; anything else is simply not found


class Router(DefaultRouter):
    """Ids in paths are numbers of at most 18 digits (named after the viewset's `lookup_url_kwarg`, else `pk`).

    No `.json`-style suffix routes: the views take no `format` argument (a suffix gave a 500), and the format is
    chosen by Accept or `?format=`. No root view unless one router asks for it (`Router(root_view=True)`): the
    organisations' router serves the API root at /api/v1/.
    """

    include_format_suffixes = False

    def __init__(self, *, root_view: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.include_root_view = root_view

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        return rf"(?P<{lookup_prefix}{getattr(viewset, 'lookup_url_kwarg', None) or 'pk'}>{ID})"
