"""The set-up of an organisation as steps on the administrator's home page, each with its state and next action.

orgs judges its own steps (profile, structure, staff, students, parents) from its selectors; a higher app adds its
steps by registering a provider here from its AppConfig.ready (policies adds the documents), so that orgs imports
none of them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import selectors
from .models import Organisation


@dataclass(frozen=True)
class Step:
    key: str
    order: int
    title: str
    state: str  # done | started | todo
    detail: str
    url: str
    action: str

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


DONE, STARTED, TODO = "done", "started", "todo"
STATE_LABELS = {DONE: _("готово"), STARTED: _("начато"), TODO: _("не начато")}

StepProvider = Callable[[Organisation], list[Step]]
_providers: list[StepProvider] = []


def register(provider: StepProvider) -> StepProvider:
    """Add a provider of steps (called once per home page with the organisation); registering twice is harmless."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def _state(done: int, total: int) -> str:
    if total and done >= total:
        return DONE
    return STARTED if done else TODO


def _own_steps(organisation: Organisation) -> list[Step]:
    facts = selectors.onboarding_facts(organisation)
    vocab, pk = organisation.vocabulary, organisation.pk
    profile_done = bool((organisation.contact_phone or organisation.contact_email) and organisation.staff_headcount)
    classes = facts["classes"]
    staff = facts["teachers"]
    headcount = organisation.staff_headcount
    return [
        Step(
            "profile",
            10,
            str(_("Профиль организации")),
            DONE if profile_done else STARTED,
            str(_("Контакты и численность сотрудников по штату")),
            reverse("orgs:profile_edit", args=[pk]),
            str(_("Заполнить профиль")),
        ),
        Step(
            "structure",
            20,
            str(_("Структура")),
            _state(facts["curated"], classes) if classes else TODO,
            str(_("%(groups)s: %(count)s, с руководителем: %(curated)s"))
            % {"groups": str(vocab.groups).capitalize(), "count": classes, "curated": facts["curated"]},
            reverse("orgs:structure", args=[pk]),
            str(_("Создать %(groups)s и назначить руководителей")) % {"groups": vocab.groups},
        ),
        Step(
            "staff",
            30,
            str(_("Сотрудники")),
            _state(staff, headcount) if headcount else (STARTED if staff else TODO),
            (str(_("Вступили: %(count)s из %(total)s")) % {"count": staff, "total": headcount})
            if headcount
            else str(_("Вступили: %(count)s")) % {"count": staff},
            reverse("orgs:people", args=[pk]),
            str(_("Пригласить сотрудников")),
        ),
        Step(
            "students",
            40,
            str(_("Обучающиеся")),
            _state(facts["with_students"], classes),
            str(_("%(groups)s с обучающимися: %(count)s из %(total)s"))
            % {"groups": str(vocab.groups).capitalize(), "count": facts["with_students"], "total": classes},
            reverse("orgs:structure", args=[pk]),
            str(_("Пригласить обучающихся")),
        ),
        Step(
            "parents",
            50,
            str(_("Родители")),
            _state(facts["classes_with_parents"], facts["with_students"]),
            str(_("%(groups)s, где вступили родители: %(count)s из %(total)s"))
            % {
                "groups": str(vocab.groups).capitalize(),
                "count": facts["classes_with_parents"],
                "total": facts["with_students"],
            },
            reverse("orgs:structure", args=[pk]),
            str(_("Пригласить родителей")),
        ),
    ]


def onboarding_steps(organisation: Organisation) -> tuple[list[Step], Step | None]:
    """Every step in order, and the first one not done (the next action), or None when all are done."""
    steps = _own_steps(organisation)
    for provider in _providers:
        steps += provider(organisation)
    steps.sort(key=lambda step: step.order)
    return steps, next((step for step in steps if step.state != DONE), None)
