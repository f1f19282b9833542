"""Where a higher app adds what it knows to an orgs page, without orgs importing it (the arrows point one way).

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
