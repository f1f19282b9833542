"""After an action of every audited kind, performed through the real services and pages, «Журнал действий», each of
its filters and its CSV open and name every action in the reader's language (Russian and English).

The school's life is built once (tests/orgs/audit_scenario.py) and then read in both languages in the same test.
"""

import csv
import html
import io
import math

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from orgs.audit_labels import ACTION_GROUPS, ACTION_LABELS, FIELD_LABELS, action_label
from orgs.models import AuditEntry
from orgs.services.structure import PROFILE_EDITABLE
from orgs.views.audit import PAGE_SIZE
from tests.orgs.audit_scenario import PROFILE_CHANGE, REASONS, build, declared_codes


def test_every_labelled_action_is_performed_by_a_step():
    """A code added to ACTION_LABELS fails here until a step of the scenario performs its action for real."""
    assert sorted(declared_codes()) == sorted(ACTION_LABELS)


def test_the_profile_edit_changes_every_editable_field():
    """So that the log must name each of them in words (a field without a label would show as its code)."""
    assert sorted(PROFILE_CHANGE) == sorted(PROFILE_EDITABLE)


def test_every_action_is_in_exactly_one_filter_group():
    homes = {
        code: [key for key, (_label, prefixes) in ACTION_GROUPS.items() if code.split(".")[0] in prefixes]
        for code in ACTION_LABELS
    }
    assert not {code: keys for code, keys in homes.items() if len(keys) != 1}


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    if response["Content-Type"].startswith("text/csv"):
        rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
        return "\n".join(";".join(row) for row in rows)
    return html.unescape(response.content.decode())


def _group_of(code: str) -> str:
    return next(key for key, (_label, prefixes) in ACTION_GROUPS.items() if code.split(".")[0] in prefixes)


def _labels(language: str) -> dict[str, str]:
    with translation.override(language):
        return {code: action_label(code) for code in ACTION_LABELS}


def _every_page(client, url, count: int) -> str:
    return "\n".join(_text(client.get(url, {"page": n})) for n in range(1, math.ceil(count / PAGE_SIZE) + 1))


def _read_the_log(client, org, admin, language: str, actions: list[str]) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    url = reverse("orgs:audit", args=[org.pk])
    labels = _labels(language)
    with translation.override(language):
        changed = ", ".join(str(FIELD_LABELS[field]) for field in sorted(PROFILE_CHANGE))

    pages = _every_page(client, url, len(actions))
    assert not [code for code, label in labels.items() if label not in pages]
    assert changed in pages
    csv_text = _text(client.get(url, {"export": "csv"}))
    assert not [code for code, label in labels.items() if label not in csv_text]
    assert csv_text.count("\n") == len(actions)
    assert changed in csv_text and all(reason in csv_text for reason in REASONS.values())

    for group in ACTION_GROUPS:
        inside = {code for code in ACTION_LABELS if _group_of(code) == group}
        shown = _text(client.get(url, {"group": group}))
        assert not [code for code in inside if labels[code] not in shown], group
        assert not [code for code in set(ACTION_LABELS) - inside if labels[code] in shown], group
        rows = _text(client.get(url, {"group": group, "export": "csv"}))
        assert rows.count("\n") == sum(_group_of(action) == group for action in actions), group

    updated = labels["organisation.updated"]
    every_filter = {"group": "structure", "actor": str(admin.pk), "q": admin.last_name, "date_from": "2020-01-01"}
    assert updated in _text(client.get(url, {**every_filter, "date_to": "2099-12-31"}))
    assert updated not in _text(client.get(url, {**every_filter, "date_to": "2020-01-02"}))
    by_system = _text(client.get(url, {"actor": "system"}))
    assert labels["invite.annulled"] in by_system and updated not in by_system


@pytest.mark.django_db
def test_the_log_its_filters_and_csv_name_every_kind_of_action_in_both_languages(client):
    school = build(client)
    actions = list(AuditEntry.objects.filter(organisation=school.org).values_list("action", flat=True))
    assert set(actions) == set(ACTION_LABELS), sorted(set(actions) ^ set(ACTION_LABELS))
    russian, english = _labels("ru"), _labels("en")
    assert not [code for code in ACTION_LABELS if russian[code] == english[code]]
    for language in ("ru", "en"):
        _read_the_log(client, school.org, school.admin, language, actions)
