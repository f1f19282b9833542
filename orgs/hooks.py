"""Where a higher app adds what it knows to an orgs page, without orgs importing it (the arrows point one way):
the origin of a member's joining (the verification queue), and sections of the start pages and of the class page.

A provider is registered once, in the higher app's AppConfig.ready().
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class JoinOrigin:
    """How a person came into the organisation: the invite («№ 12 — учитель, Учительская») and who created it."""

    invite_id: int
    label: str
    invited_by: str


# (organisation, user ids) → {user id: JoinOrigin}: one provider per app, each answering in a fixed number of queries.
_join_origin_providers: list[Callable[..., dict[int, JoinOrigin]]] = []


def register_join_origin(provider: Callable[..., dict[int, JoinOrigin]]) -> None:
    if provider not in _join_origin_providers:
        _join_origin_providers.append(provider)


def join_origins(organisation, user_ids: Iterable[int]) -> dict[int, JoinOrigin]:
    user_ids = list(user_ids)
    found: dict[int, JoinOrigin] = {}
    for provider in _join_origin_providers:
        for user_id, origin in provider(organisation, user_ids).items():
            found.setdefault(user_id, origin)
    return found


@dataclass(frozen=True)
class PageSection:
    """A part a higher app adds to a page of orgs: its template, and what that template needs (a function of the
    request and the page's objects returning a dict, merged into the page's context)."""

    template_name: str
    context: Callable[..., dict]


# page («home», «org_home», «class») → its sections, in the order the apps registered them.
_page_sections: dict[str, list[PageSection]] = {}


def register_page_section(page: str, template_name: str, context: Callable[..., dict]) -> None:
    sections = _page_sections.setdefault(page, [])
    if all(s.template_name != template_name for s in sections):
        sections.append(PageSection(template_name, context))


def page_sections(page: str, request, **objects) -> dict:
    """The context the sections of `page` add, with `sections`: the names of their templates, which the page
    includes (`{% for section in sections %}{% include section %}{% endfor %}`)."""
    found = {"sections": []}
    for section in _page_sections.get(page, ()):
        found.update(section.context(request, **objects))
        found["sections"].append(section.template_name)
    return found
