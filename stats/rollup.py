"""«Муниципалитет»: the organisations of an area against the targets, for the methodologist's table, its export and
the API. Read from the statistics tables only (and the organisations' names); a fixed number of queries, whatever
the number of organisations.

Privacy: a figure that counts people (registered, active, students with a parent) is hidden when it is below
`MIN_PEOPLE` (shown «<5», None in the API), and so is a share made from such a figure. Counts of messages, chats and
classes are not counts of people and are shown as they are. Hidden figures sort after every shown one, so that
sorting does not reveal their order.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from . import selectors
from .dashboard import ACTIVE, ACTIVITY, COVERAGE, TARGETS, share
from .days import local_day
from .models import Area
from .registry import indicators
from .targets import area_targets, targets_of_area_organisations

MIN_PEOPLE = 5
HIDDEN = "<5"
CHATS = "chats_active.v1"
KEYS = tuple(key for key, _role, _target, _label in TARGETS)
ROLE_OF = {key: role for key, role, _target, _label in TARGETS}
LABEL_OF = {key: label for key, _role, _target, label in TARGETS}


def people(count: int | None) -> int | None:
    """A count of people as it may be shown: None (hidden) when below the threshold."""
    return None if count is None or count < MIN_PEOPLE else count


def people_share(part: int, whole: int) -> int | None:
    """A share whose both counts are people: hidden when either is below the threshold."""
    return share(part, whole) if people(part) is not None and people(whole) is not None else None


@dataclass
class Row:
    """One organisation (or the area's total): figures as shown, None where hidden or not known."""

    name: str
    organisation_id: int | None
    registered: dict[str, int | None]
    active: dict[str, int | None]
    shares: dict[str, int | None]
    targets: dict[str, int]
    classes: int
    students_joined: int | None
    with_parent_share: int | None
    chats_active: int
    messages: int
    messages_trivial: int
    stale: bool = False
    full_name: str = ""
    met: dict[str, bool | None] = field(default_factory=dict)

    def __post_init__(self):
        self.met = {k: None if self.shares[k] is None else self.shares[k] >= self.targets[k] for k in KEYS}

    @property
    def missed(self) -> list[str]:
        return [LABEL_OF[k] for k in KEYS if self.met[k] is False]

    @property
    def status(self) -> str:
        """met: every target shown is reached; missed: one is not; unknown: no share can be shown."""
        if self.missed:
            return "missed"
        return "met" if any(v for v in self.met.values()) else "unknown"

    @property
    def status_text(self) -> str:
        if self.status == "missed":
            return "Ниже цели: " + ", ".join(label.lower() for label in self.missed)
        if self.status == "met":
            hidden = [LABEL_OF[k].lower() for k in KEYS if self.met[k] is None]
            return "Цели достигнуты" + (f" (мало данных: {', '.join(hidden)})" if hidden else "")
        return "Мало данных для сравнения с целями"

    def value(self, column: str):
        """The figure of a column as shown (None where hidden), for sorting."""
        if column == "name":
            return self.name.casefold()
        if column == "status":
            return None if self.status == "unknown" else -len(self.missed)
        what, _, key = column.partition(".")
        if what in ("share", "registered", "active"):
            return {"share": self.shares, "registered": self.registered, "active": self.active}[what][key]
        return getattr(self, column)


# Sortable columns: (key, header); «share.staff» is the weekly active share of the staff, and so on.
COLUMNS = (
    ("name", "Организация"),
    *((f"share.{k}", f"{LABEL_OF[k]}: активны за неделю, %") for k in KEYS),
    *((f"registered.{k}", f"{LABEL_OF[k]}: зарегистрированы") for k in KEYS),
    ("classes", "Классы и группы"),
    ("with_parent_share", "Обучающиеся с родителем на портале, %"),
    ("chats_active", "Чаты, активные за 7 дней"),
    ("messages", "Сообщения содержательные"),
    ("messages_trivial", "Сообщения малосодержательные"),
    ("status", "Цели"),
)
COLUMN_KEYS = {key for key, _header in COLUMNS}


def _figure(value, suffix: str = "") -> dict:
    if value is None:
        return {"text": HIDDEN, "hidden": True}
    return {"text": f"{value}{suffix}"}


def row_cells(row: Row) -> list[dict]:
    """The row's cells after its name, in the order of COLUMNS: text, a note, met or missed (shown in words too)."""
    result = []
    for key in KEYS:
        cell = _figure(row.shares[key], " %")
        met = row.met[key]
        cell["state"] = "" if met is None else "met" if met else "missed"
        mark = "" if met is None else "✓ " if met else "✗ "
        cell["note"] = f"{mark}цель {row.targets[key]} %"
        result.append(cell)
    result += [_figure(row.registered[key]) for key in KEYS]
    result += [
        {"text": str(row.classes)},
        _figure(row.with_parent_share, " %"),
        {"text": str(row.chats_active)},
        {"text": str(row.messages)},
        {"text": str(row.messages_trivial)},
    ]
    return result


@dataclass
class Rollup:
    area: Area
    day: date
    first: date
    rows: list[Row]
    total: Row
    organisations: list


def report_day(organisations) -> tuple[dict, date]:
    """({organisation id: its last day filled}, the day the table is read for: the latest day any organisation of
    the area is filled to (those behind it are marked stale), or yesterday while none is)."""
    ids = [o.pk for o in organisations]
    filled = selectors.fill_days(organisation_ids=ids, indicator_ids=[i.id for i in indicators()])
    days = [d for d in filled.values() if d is not None]
    if days:
        return filled, max(days)
    time_zone = organisations[0].time_zone if organisations else "Europe/Moscow"
    return filled, local_day(timezone.now(), time_zone) - timedelta(days=1)


def rollup(area: Area, organisations, *, first: date, last: date, filled: dict) -> Rollup:
    """The table of the area's organisations: people on the last day, messages over the days from the first."""
    ids, day = [o.pk for o in organisations], last
    wanted = [
        *((ACTIVE, f"wau.{role}") for role in ROLE_OF.values()),
        *((COVERAGE, f"members.{role}") for role in ROLE_OF.values()),
        (COVERAGE, "classes"),
        (COVERAGE, "students.joined"),
        (COVERAGE, "students.with_parent"),
        (CHATS, "chats.active_7d"),
    ]
    values = selectors.orgs_values_on(organisation_ids=ids, keys=wanted, day=day)
    sums = selectors.orgs_sums(
        organisation_ids=ids, indicator_id=ACTIVITY, subgroups=("messages", "messages.trivial"), first=first, last=day
    )
    targets = targets_of_area_organisations(area, ids)
    rows = []
    for organisation in organisations:
        v = values.get(organisation.pk, {})
        raw = {key: v.get(key, 0) for key in wanted}
        raw["messages"] = sums.get(organisation.pk, {}).get("messages", 0)
        raw["messages.trivial"] = sums.get(organisation.pk, {}).get("messages.trivial", 0)
        raw["active"] = {k: raw[(ACTIVE, f"wau.{ROLE_OF[k]}")] for k in KEYS}
        row = _row(organisation.short_name, organisation.pk, raw, targets[organisation.pk])
        row.full_name = organisation.full_name
        row.stale = filled.get(organisation.pk) is None or filled[organisation.pk] < day
        rows.append(row)
    total = _total(area, ids, rows, wanted, values, sums, day)
    return Rollup(area, day, first, rows, total, list(organisations))


def _row(name: str, organisation_id, raw: dict, targets: dict) -> Row:
    registered = {k: raw[(COVERAGE, f"members.{ROLE_OF[k]}")] for k in KEYS}
    joined, with_parent = raw[(COVERAGE, "students.joined")], raw[(COVERAGE, "students.with_parent")]
    trivial = raw["messages.trivial"]
    return Row(
        name=name,
        organisation_id=organisation_id,
        registered={k: people(n) for k, n in registered.items()},
        active={k: people(raw["active"][k]) for k in KEYS},
        shares={k: people_share(raw["active"][k], registered[k]) for k in KEYS},
        targets=targets,
        classes=raw[(COVERAGE, "classes")],
        students_joined=people(joined),
        with_parent_share=people_share(with_parent, joined),
        chats_active=raw[(CHATS, "chats.active_7d")],
        messages=raw["messages"] - trivial,
        messages_trivial=trivial,
    )


def _total(area, ids, rows, wanted, values, sums, day) -> Row:
    """The area as a whole: people active are counted once across its organisations (from the per-person days);
    the registered are the organisations' sum (a person registered in two of them counts twice there)."""
    week = selectors.distinct_active_by_role(
        organisation_ids=ids, first=day - timedelta(days=6), last=day, roles=tuple(ROLE_OF.values())
    )
    raw = {key: sum(v.get(key, 0) for v in values.values()) for key in wanted}
    for subgroup in ("messages", "messages.trivial"):
        raw[subgroup] = sum(s.get(subgroup, 0) for s in sums.values())
    raw["active"] = {k: week[ROLE_OF[k]] for k in KEYS}
    targets = {key: target.value for key, target in area_targets(area).items()}
    return _row(f"Всего по муниципалитету ({len(rows)})", None, raw, targets)


def sort_rows(rows: list[Row], column: str, descending: bool) -> list[Row]:
    """Rows by a column as shown; hidden and unknown figures last in either direction, then by name."""
    if column not in COLUMN_KEYS:
        column = "name"
    by_name = sorted(rows, key=lambda r: (r.name.casefold(), r.organisation_id or 0))
    shown = [r for r in by_name if r.value(column) is not None]
    hidden = [r for r in by_name if r.value(column) is None]
    return sorted(shown, key=lambda r: r.value(column), reverse=descending) + hidden
