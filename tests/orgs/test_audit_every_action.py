"""After an action of every audited kind, «Журнал действий», each of its filters and its CSV open and name the
action in the reader's language (Russian and English)."""

import csv
import html
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from orgs.audit_labels import ACTION_GROUPS, ACTION_LABELS, FIELD_LABELS, action_label
from orgs.models import AuditEntry, Organisation
from tests.factories import OrganisationFactory, admin_of

pytestmark = pytest.mark.django_db

# Every action code with the details its service records (see the audit_record calls). A code added to
# ACTION_LABELS without a case here fails test_every_labelled_action_has_a_case.
CASES = {
    "registration.approved": {},
    "registration.rejected": {"reason": "Нет приказа"},
    "organisation.updated": None,  # performed for real through the profile form, below
    "academic_year.created": {},
    "group.created": {},
    "group.updated": {},
    "group.archived": {},
    "group.restored": {},
    "membership.added": {"role": "teacher"},
    "membership.ended": {"reason": "Выбыл"},
    "teacher.verified": {},
    "teacher.rejected": {"reason": "Не работает у нас"},
    "staff.position_changed": {"position": "director"},
    "admin.appointed": {},
    "admin.removed": {},
    "student.enrolled": {"group": "5А", "from": None},
    "student.transferred": {"group": "5Б", "from": "5А"},
    "curator.assigned": {"group": "5А", "teacher": "Иванова Анна Петровна"},
    "curator.unassigned": {},
    "teaching.assigned": {"group": "5А", "subject": "Математика"},
    "teaching.ended": {},
    "parent_link.created": {"parent": "Петров Пётр", "child": "Петров Иван"},
    "parent_link.ended": {},
    "invite.created": {"role": "student", "group": "5А", "chat": None, "max_uses": None},
    "invite.relayed": {"from": 12},
    "invite.regenerated": {"note": "Утекла в общий чат"},
    "invite.revoked": {},
    "invite.revoked_all": {"count": 3, "creator": None},
    "invite.paused": {"automatic": True, "reason": "12 переходов за 10 минут"},
    "invite.resumed": {},
    "invite.expired": {},
    "invite.annulled": {"days": 30},
    "invite.redeemed": {"outcome": "requested", "join_request": 4},
    "invite.mailing_started": {"total": 25},
    "chat.created": {"note": "Вид: Другой чат", "count": 3, "group": "5А"},
    "chat.renamed": {"note": "Старое название"},
    "chat.archived": {},
    "chat.restored": {},
    "chat.members_added": {"count": 2},
    "chat.owner_passed": {"note": "Новый владелец: пользователь № 5"},
    "chat.member_muted": {"member": 5, "until": "02.03.2026 14:05"},
    "chat.member_unmuted": {"member": 5},
    "chat.member_removed": {"member": 5},
    "report.message_deleted": {"reason": "Оскорбления", "note": ""},
    "report.dismissed": {"reason": "Спам", "note": "Не спам"},
    "join_request.approved": {},
    "join_request.rejected": {"reason": "Не родитель"},
}
PROFILE_CHANGE = {
    "full_name": "Муниципальное автономное общеобразовательное учреждение «Гимназия № 3»",
    "short_name": "Гимназия № 3",
    "address": "г. Улан-Удэ, ул. Ленина, д. 5",
    "region": "Республика Саха (Якутия)",
    "municipality": "г. Якутск",
    "time_zone": "Asia/Yakutsk",
}


def test_every_labelled_action_has_a_case():
    assert sorted(CASES) == sorted(ACTION_LABELS)


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    if response["Content-Type"].startswith("text/csv"):
        rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";")
        return "\n".join(";".join(row) for row in rows)
    return html.unescape(response.content.decode())


def _group_of(code: str) -> str:
    return next(key for key, (_label, prefixes) in ACTION_GROUPS.items() if code.split(".")[0] in prefixes)


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_log_its_filters_and_csv_open_after_every_kind_of_action(client, language):
    org = OrganisationFactory()
    admin = admin_of(org)
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.post(reverse("orgs:profile_edit", args=[org.pk]), PROFILE_CHANGE)
    assert response.status_code == 302
    assert Organisation.objects.get(pk=org.pk).short_name == "Гимназия № 3"
    for code, details in CASES.items():
        if details is not None:
            AuditEntry.objects.create(
                organisation=org,
                actor=admin,
                action=code,
                object_type="x",
                object_id="1",
                object_repr="5А",
                details=details,
            )
    assert set(AuditEntry.objects.filter(organisation=org).values_list("action", flat=True)) == set(CASES)

    url = reverse("orgs:audit", args=[org.pk])
    with translation.override(language):
        labels = {code: action_label(code) for code in CASES}
        changed = ", ".join(str(FIELD_LABELS[field]) for field in sorted(PROFILE_CHANGE))
    with translation.override("ru"):
        russian = action_label("organisation.updated")
    assert (labels["organisation.updated"] == russian) is (language == "ru")

    csv_text = _text(client.get(url, {"export": "csv"}))
    missing = [code for code, label in labels.items() if label not in csv_text]
    assert not missing, missing
    assert changed in csv_text
    first_page = _text(client.get(url))
    assert labels["organisation.updated"] in first_page and changed in first_page
    for group in ACTION_GROUPS:
        shown = _text(client.get(url, {"group": group}))
        codes = [code for code in CASES if _group_of(code) == group]
        assert all(labels[code] in shown for code in codes), (group, [c for c in codes if labels[c] not in shown])
        assert _text(client.get(url, {"group": group, "export": "csv"})).count("\n") == len(codes)
    every_filter = {"group": "structure", "actor": str(admin.pk), "q": admin.last_name, "date_from": "2020-01-01"}
    assert labels["organisation.updated"] in _text(client.get(url, {**every_filter, "date_to": "2099-12-31"}))
    assert labels["organisation.updated"] not in _text(client.get(url, {**every_filter, "actor": "system"}))
