"""The dashboard's sections beyond the headline and the charts: active users by role in both senses, the coverage
snapshot, the invite funnel with each week's conversion, join requests with their decision times, moderation, and
the weak spots of a class at the edges of their rules. Read against tests/stats/filled.py."""

from datetime import date, timedelta

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from stats import dashboard as d
from stats.selectors import histogram_quantiles

from .filled import filled_organisation
from .test_dashboard import page, text


@pytest.fixture(scope="module")
def filled(django_db_setup, django_db_blocker):
    """One filled organisation for the module's reads, in a transaction rolled back when the module is done."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield filled_organisation(3)
        transaction.set_rollback(True)


@pytest.fixture
def words(db, client, filled):
    return text(page(client, filled.people["director"], filled.organisation))


def section(words: str, start: str, end: str) -> str:
    return words.split(start, 1)[1].split(end, 1)[0]


# --- Page: what the director reads ----------------------------------------------------------------------------


def test_active_users_by_role_present_and_taking_part_daily_weekly_monthly(words):
    table = section(words, "Активные по ролям", "Охват на")
    # Staff: 11 of 40 present yesterday, 4 took part; 33 and 12 in 7 days; 38 and 20 in 30 days.
    assert "Педагоги и сотрудники 40 28 % (11) 10 % (4) 83 % (33) 30 % (12) 95 % (38) 50 % (20)" in table
    assert "Обучающиеся 400 16 % (63) 0 % (0) 28 % (113) 10 % (40) 50 % (200) 0 % (0)" in table
    assert "Родители 300 10 % (30) 0 % (0) 30 % (90) 5 % (15) 50 % (150) 0 % (0)" in table


def test_the_coverage_snapshot(words, filled):
    block = section(words, f"Охват на {filled.yesterday:%d.%m.%Y}", "Приглашения и заявки")
    assert "Руководитель 1 1 Заместитель руководителя 3 2 Педагог 36 30 Всего 40 33" in block
    # Against the 50 staff the administrator entered in the profile.
    assert "зарегистрированы 40 из 50 (80 %), подтверждены 33 (66 %)" in block
    assert "Обучающиеся с родителем на портале 190 из 380 в классах (50 %)" in block
    assert "Родителей на одного обучающегося 0,8 (300 родителей, 400 обучающихся)" in block
    assert "Классы без куратора ⚠ 2 из 12" in block
    assert "Классы с неподтверждённым куратором ⚠ 1" in block
    assert "Педагоги, не подтверждённые дольше 3 дней ⚠ 3" in block


def test_without_a_headcount_the_share_is_not_guessed(db, client):
    filled = filled_organisation(1, days=1)
    type(filled.organisation).objects.filter(pk=filled.organisation.pk).update(staff_headcount=None)
    response = page(client, filled.people["admin"], filled.organisation)
    assert "численность не указана в профиле организации — указать" in text(response)
    assert f'href="/orgs/{filled.organisation.pk}/profile/edit/"' in response.content.decode()


def test_the_invite_funnel_by_role_and_each_weeks_conversion(words, filled):
    y = filled.yesterday
    block = section(words, "Ссылки-приглашения по ролям", "Заявки на вступление")
    assert "Роль Созданы Использованы (вступили) Истекли Отозваны Аннулированы" in block
    assert "Педагоги и сотрудники 7 0 0 0 1 Обучающиеся 28 19 1 0 0 Родители 14 14 0 1 0 Всего 49 33 1 1 1" in block
    # Weeks end with the last day counted. The last one: 24 links created, 17 joins by link — 71 %.
    last_week = f"{y - timedelta(days=6):%d.%m}–{y:%d.%m.%Y} 24 17 71 %"
    week_before = f"{y - timedelta(days=13):%d.%m}–{y - timedelta(days=7):%d.%m.%Y} 25 16 64 %"
    assert last_week in block and week_before in block
    # Weeks before the history: nothing created, no share invented.
    assert f"{y - timedelta(days=20):%d.%m}–{y - timedelta(days=14):%d.%m.%Y} 0 0 —" in block


def test_join_requests_and_the_time_to_decide_at_the_buckets_resolution(words, filled):
    block = section(words, "Заявки на вступление", "Жалобы")
    assert (
        f"Поданы 14 Одобрены 7 Отклонены 1 Ждут решения на {filled.yesterday:%d.%m.%Y} 4 "
        "Из них ждут дольше 3 дней ⚠ 2" in block
    )
    assert "медиана ≈ до 4 ч; 90 % решены ≈ до 168 ч" in block
    assert "считается по интервалам (1, 2, 4, 8, 12, 24, 48, 72, 120, 168, 336, 720 ч)" in block


def test_moderation_reports_filed_and_resolved_and_texts_refused_by_the_content_rules(words):
    assert "Жалобы Поданы 5 Рассмотрены 3 Не пропущено правилами содержания 8" in words


def test_the_curator_sees_the_funnel_of_their_class_only(db, client, filled):
    words = text(page(client, filled.people["curator"], filled.organisation))
    # Their class: 2 student links created, 1 used; what is counted only for the organisation is a dash.
    assert "Всего 2 1 — — —" in words
    assert "Истёкшие, отозванные и аннулированные ссылки считаются только по организации" in words
    assert f"Ждут решения на {filled.yesterday:%d.%m.%Y} 1" in words
    # No organisation figures: no coverage, no requests of the organisation, no reports, no other roles' activity.
    for absent in ("Охват на", "Поданы", "Жалобы", "Родители 300", "Всего 49", "медиана"):
        assert absent not in words, absent
    assert "Обучающиеся 10 10 % (1) 20 % (2)" in words


# --- API: the same figures ------------------------------------------------------------------------------------


def api(user, path):
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(path)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_api_summary_has_the_pages_figures(db, filled):
    org = filled.organisation
    summary = api(filled.people["director"], f"/api/v1/orgs/{org.pk}/stats/")["summary"]
    assert summary["invites"]["total"] == {"created": 49, "redeemed": 33, "expired": 1, "revoked": 1, "annulled": 1}
    assert summary["invites"]["weeks"][-1] == {
        "from": str(filled.yesterday - timedelta(days=6)),
        "to": str(filled.yesterday),
        "created": 24,
        "joined": 17,
        "conversion": 71,
    }
    requests = summary["join_requests"]
    assert (requests["created"], requests["approved"], requests["rejected"], requests["pending"]) == (14, 7, 1, 4)
    assert (requests["pending_over_3_days"], requests["decision_hours_median"], requests["decision_hours_p90"]) == (
        2,
        4,
        168,
    )
    assert summary["moderation"] == {"filed": 5, "resolved": 3, "refused_by_content_rules": 8}
    staff = next(r for r in summary["active_users"] if r["role"] == "teacher")
    assert staff["present"]["wau"] == {"count": 33, "share": 83}
    assert staff["taking_part"]["wau"] == {"count": 12, "share": 30}
    coverage = summary["coverage"]
    assert (coverage["staff_headcount"], coverage["staff_registered_share"], coverage["staff_verified_share"]) == (
        50,
        80,
        66,
    )
    assert (coverage["classes_without_curator"], coverage["classes_curator_unverified"]) == (2, 1)


def test_the_api_summary_of_a_curator_has_no_organisation_figures(db, filled):
    org, own = filled.organisation, filled.classes[0]
    summary = api(filled.people["curator"], f"/api/v1/orgs/{org.pk}/stats/?class={own.pk}")["summary"]
    assert summary["coverage"] is None and summary["moderation"] == {
        "filed": None,
        "resolved": None,
        "refused_by_content_rules": None,
    }
    assert [r["role"] for r in summary["invites"]["by_role"]] == ["student", "parent"]
    assert summary["invites"]["total"] == {
        "created": 2,
        "redeemed": 1,
        "expired": None,
        "revoked": None,
        "annulled": None,
    }
    assert summary["join_requests"]["created"] is None and summary["join_requests"]["pending"] == 1
    assert [r["role"] for r in summary["active_users"]] == ["student"]
    assert summary["active_users"][0]["taking_part"] is None


def test_the_api_classes_name_weak_spots_and_extra_marks(db, filled):
    rows = api(filled.people["admin"], f"/api/v1/orgs/{filled.organisation.pk}/stats/classes/")["results"]
    weak = next(r for r in rows if r["id"] == filled.classes[0].pk)
    assert weak["weak_spots"] == ["curator_unverified", "joined", "parents_chat", "quiet"]
    assert weak["extra_marks"] == ["parents"]
    assert (weak["curator"], weak["curator_verified"]) == (True, False)


# --- The rules at their edges ---------------------------------------------------------------------------------

DAY = date(2026, 3, 16)


def row(**changes) -> d.ClassRow:
    fields = {
        "group_id": 1,
        "name": "5А",
        "joined": 25,
        "planned": 25,
        "with_parent": 25,
        "class_chat": True,
        "parents_chat": True,
        "active_7d": 10,
        "last_meaningful": DAY,
        "has_curator": True,
        "curator_unverified": False,
        **changes,
    }
    return d.ClassRow(**fields)


@pytest.mark.parametrize(
    ("joined", "planned", "weak"),
    [(49, 100, True), (50, 100, False), (12, 25, True), (13, 26, False), (0, 25, True), (3, None, False)],
)
def test_under_half_joined_is_a_weak_spot_and_half_is_not(joined, planned, weak):
    assert ("joined" in d.weak_spots(row(joined=joined, planned=planned), DAY)) is weak


@pytest.mark.parametrize(("days_ago", "weak"), [(0, False), (13, False), (14, True), (30, True), (None, True)])
def test_fourteen_quiet_days_are_a_weak_spot_and_thirteen_are_not(days_ago, weak):
    last = None if days_ago is None else DAY - timedelta(days=days_ago)
    assert ("quiet" in d.weak_spots(row(last_meaningful=last), DAY)) is weak


def test_no_parents_chat_and_an_unverified_curator_are_weak_spots():
    assert d.weak_spots(row(parents_chat=False, curator_unverified=True), DAY) == {"parents_chat", "curator_unverified"}
    assert d.weak_spots(row(), DAY) == set()


def test_extra_marks_are_not_weak_spots():
    lonely = row(with_parent=12, joined=25, class_chat=False, has_curator=False)
    assert d.weak_spots(lonely, DAY) == set()
    assert d.extra_marks(lonely) == {"parents", "class_chat", "no_curator"}
    # Half the students with a parent is enough.
    assert d.extra_marks(row(with_parent=13, joined=26)) == set()


def buckets(**counts) -> dict[str, int]:
    return {f"decided.{key}": n for key, n in counts.items()}


@pytest.mark.parametrize(
    ("counts", "median", "p90"),
    [
        ({}, None, None),
        # 5 decisions: the median is the 3rd (in ≤ 8 h), the 90th percentile the 5th (in ≤ 336 h).
        (buckets(le_1h=1, le_4h=1, le_8h=1, le_48h=1, le_336h=1), 8, 336),
        # 10 decisions: the median is the 5th, the 90th percentile the 9th.
        (buckets(le_2h=5, le_24h=4, le_72h=1), 2, 24),
        (buckets(le_2h=4, le_24h=5, le_72h=1), 24, 24),
        # Beyond the last bound: None (the page says «больше 720 ч»).
        (buckets(le_1h=1, gt_720h=9), None, None),
        (buckets(le_1h=9, gt_720h=1), 1, 1),
        # 70 decisions: the 63rd is the 90th percentile, exactly (no rounding up to the 64th).
        (buckets(le_1h=63, le_720h=7), 1, 1),
    ],
)
def test_the_median_and_the_90th_percentile_from_the_histogram(counts, median, p90):
    assert histogram_quantiles(counts) == {0.5: median, 0.9: p90}


def test_invite_weeks_are_whole_weeks_ending_with_the_last_day():
    assert d.invite_weeks(DAY - timedelta(days=5), DAY) == []
    assert d.invite_weeks(DAY - timedelta(days=6), DAY) == [(DAY - timedelta(days=6), DAY)]
    weeks = d.invite_weeks(DAY - timedelta(days=29), DAY)
    assert len(weeks) == 4 and weeks[-1] == (DAY - timedelta(days=6), DAY) and weeks[0][0] == DAY - timedelta(days=27)


@pytest.fixture
def english(client):
    """The client reads in English; the language the middleware leaves active is restored for later tests."""
    from django.conf import settings
    from django.utils import translation

    language = translation.get_language()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    yield client
    translation.activate(language)


def test_the_new_sections_read_in_english(db, english, filled):
    words = text(page(english, filled.people["director"], filled.organisation))
    for phrase in (
        "Active by role",
        "Teachers and staff 40",
        "Staff by position",
        "40 of 50 registered (80 %), 33 verified (66 %)",
        "Invitation links by role",
        "Joins by link each week",
        "median ≈ up to 4 h; 90 % decided ≈ up to 168 h",
        "Reports Submitted 5 Resolved 3",
        "Took part (wrote): 30 %, 12 people",
        "also noted",
    ):
        assert phrase in words, phrase
