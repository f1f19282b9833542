"""The indicators: what each one counts, at which grain, how it adds up over days and how long it is kept.

An indicator's `compute` reads the source tables for one batch — the same local day of many organisations of one
time zone — with a few set-based queries and returns each organisation's rows; the fill service
(`services/fill.py`) deletes the batch's rows and writes them in one transaction. Changing what an indicator counts
means a new version: its id changes, it fills from the start, and the old rows expire with their retention.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from .days import Batch


class Kind(StrEnum):
    # A daily total: a week's value is the sum of its days.
    ADDITIVE = "additive"
    # A state at the end of the day: a week's value is its last day's, never a sum.
    SNAPSHOT = "snapshot"


class Grain(StrEnum):
    ORGANISATION = "organisation"
    CLASS = "class"
    USER = "user"


@dataclass
class Rows:
    """What one organisation's bucket of an indicator holds: organisation values and class values. (The per-user
    rows of UserDay are written as people act, and completed or rebuilt by their indicator itself, set-based.)"""

    org: dict[str, int] = field(default_factory=dict)
    classes: dict[tuple[int, str], int] = field(default_factory=dict)

    def add(self, subgroup: str, value: int = 1) -> None:
        self.org[subgroup] = self.org.get(subgroup, 0) + value

    def add_class(self, group_id: int, subgroup: str, value: int = 1) -> None:
        key = (group_id, subgroup)
        self.classes[key] = self.classes.get(key, 0) + value


class BatchRows(dict):
    """The rows of one batch by organisation: `out[organisation_id].add(...)`; an organisation with nothing to
    count has no entry."""

    def __missing__(self, organisation_id: int) -> Rows:
        rows = self[organisation_id] = Rows()
        return rows


@dataclass(frozen=True)
class Indicator:
    key: str
    version: int
    kind: Kind
    grains: tuple[Grain, ...]
    compute: Callable[[Batch], BatchRows]
    # What fills a day the first time, when it differs from a recount: it completes the rows written as events
    # happened instead of deleting and writing them again (the per-user rows).
    advance: Callable[[Batch], BatchRows] | None = None
    # Days the rows are kept; None keeps them for good.
    retention_days: int | None = None
    # Keys of the indicators whose rows of the same day this one reads: it is filled after them, never beside them.
    after: tuple[str, ...] = ()
    description: str = ""

    @property
    def id(self) -> str:
        return f"{self.key}.v{self.version}"


REGISTRY: dict[str, Indicator] = {}


def register(indicator: Indicator) -> Indicator:
    if indicator.id in REGISTRY:
        raise ValueError(f"indicator {indicator.id} registered twice")
    REGISTRY[indicator.id] = indicator
    return indicator


def indicators() -> list[Indicator]:
    """All indicators in fill order: an indicator may read what an earlier one wrote for the same day."""
    from . import collectors  # noqa: F401  (registers the indicators)

    return list(REGISTRY.values())
