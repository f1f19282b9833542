"""The fill job: what it writes for a day, that it writes each day once, and that a crash leaves nothing half done."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from django.utils import timezone

from chats.models import Attachment, Message, Poll
from chats.services.messages import message_delete
from invites.models import Invite
from stats.days import local_day
from stats.models import ClassDayCount, DirtyDay, FillState, Lease, OrgDayCount, UserDay
from stats.services import fill
from stats.services.fill import purge_expired, stats_advance, stats_backfill
from stats.services.lease import lease_acquire, lease_release

from .helpers import (
    Role,
    UserFactory,
    add_student,
    at,
    first_day,
    join,
    organisation_since,
    table_state,
    value,
    world,
)

pytestmark = pytest.mark.django_db


def post(chat, author, when, text="Завтра контрольная по математике, повторите дроби"):
    return Message.objects.bulk_create([Message(chat=chat, author=author, text=text, created_at=when)])[0]


def test_a_day_holds_coverage_and_activity_of_that_local_day():
    w = world(students=3, start=local_day(timezone.now(), "Asia/Irkutsk") - timedelta(days=10))
    day = w.start + timedelta(days=2)
    post(w.class_chat, w.students[0], at(w.organisation, day, 600))
    post(w.class_chat, w.students[1], at(w.organisation, day, 601), text="👍")
    post(w.parents_chat, w.parents[0], at(w.organisation, day, 602), text="Спасибо!")
    add_student(w, at(w.organisation, day, 900), parent=False)

    report = stats_advance()

    assert report.buckets > 0 and not report.busy
    org = w.organisation
    assert value(org, "activity.v1", day, "messages") == 3
    assert value(org, "activity.v1", day, "messages.trivial") == 2
    assert value(org, "activity.v1", day, "messages.trivial.emoji") == 1
    assert value(org, "activity.v1", day, "messages.kind.class_parents") == 1
    assert value(org, "activity.v1", day, "messages.role.student") == 2
    assert value(org, "activity.v1", day - timedelta(days=1), "messages") == 0
    # The fourth student joined during the day: counted from that day on, without a parent.
    assert value(org, "coverage.v1", day - timedelta(days=1), "students.joined") == 3
    assert value(org, "coverage.v1", day, "students.joined") == 4
    assert value(org, "coverage.v1", day, "students.with_parent") == 3
    assert value(org, "coverage.v1", day, "students.planned") == 25
    assert value(org, "coverage.v1", day, "classes.with_chats") == 1
    assert value(org, "coverage.v1", day, "classes.without_curator") == 1
    assert value(org, "coverage.v1", day, "staff.verified.teacher") == 1
    assert value(org, "chats_active.v1", day + timedelta(days=6), "chats.active_7d") == 2
    assert value(org, "chats_active.v1", day + timedelta(days=7), "chats.active_7d") == 0
    assert value(org, "active_users.v1", day, "dau.all.took_part") == 3
    assert value(org, "active_users.v1", day + timedelta(days=6), "wau.student.took_part") == 2
    assert value(org, "active_users.v1", day + timedelta(days=7), "wau.all") == 0
    yesterday = local_day(timezone.now(), org.time_zone) - timedelta(days=1)
    assert set(FillState.objects.filter(organisation=org).values_list("last_filled_day", flat=True)) == {yesterday}


def test_running_the_job_again_changes_nothing_and_computes_nothing():
    w = world()
    post(w.class_chat, w.teacher, at(w.organisation, w.start + timedelta(days=1), 480))
    stats_advance()
    before = table_state()

    again = stats_advance()

    assert again.buckets == 0 and again.recounted == 0
    assert table_state() == before


def test_the_job_fills_only_the_days_after_the_last_filled_one():
    w = world()
    stats_advance()
    FillState.objects.filter(organisation=w.organisation).update(
        last_filled_day=local_day(timezone.now(), w.organisation.time_zone) - timedelta(days=3)
    )
    report = stats_advance()
    assert report.buckets == 2 * len(fill.indicators())


@pytest.mark.parametrize("time_zone, utc_hour", [("Europe/Kaliningrad", 22), ("Asia/Kamchatka", 12)])
def test_a_message_belongs_to_the_local_day_of_its_organisation(time_zone, utc_hour):
    w = world(time_zone)
    day = w.start + timedelta(days=3)
    # Local midnight of `day + 1` is utc_hour:00 UTC of `day`: one minute before it and at it.
    midnight = at(w.organisation, day + timedelta(days=1))
    assert midnight.hour == utc_hour and midnight.date() == day
    post(w.class_chat, w.teacher, midnight - timedelta(minutes=1))
    post(w.class_chat, w.teacher, midnight)
    post(w.class_chat, w.teacher, midnight + timedelta(hours=23, minutes=59))

    stats_advance()

    assert value(w.organisation, "activity.v1", day, "messages") == 1
    assert value(w.organisation, "activity.v1", day + timedelta(days=1), "messages") == 2


def test_a_crash_between_the_delete_and_the_done_mark_leaves_the_day_as_it_was(monkeypatch):
    w = world()
    day = w.start + timedelta(days=2)
    post(w.class_chat, w.teacher, at(w.organisation, day, 500))
    stats_advance()
    clean = table_state()
    # A message arrives late for an already filled day, and the recount of that day crashes midway.
    post(w.class_chat, w.students[0], at(w.organisation, day, 700))
    crashed = []

    def crash(indicator, bucket):
        crashed.append(bucket.day)
        raise RuntimeError("worker killed")

    monkeypatch.setattr(fill, "_mark_done", crash)
    with pytest.raises(RuntimeError):
        stats_backfill(first=day, last=day)
    assert crashed == [day]
    assert table_state() == clean  # the deleted rows came back with the rollback
    assert not Lease.objects.filter(lease_until__gt=timezone.now()).exists()  # and the lease was let go

    monkeypatch.undo()
    yesterday = local_day(timezone.now(), w.organisation.time_zone) - timedelta(days=1)
    stats_backfill(first=day, last=yesterday)
    stats_backfill(first=day, last=yesterday)
    assert value(w.organisation, "activity.v1", day, "messages") == 2
    recounted = table_state()
    # Wiping everything and filling from scratch gives the same rows.
    OrgDayCount.objects.all().delete()
    FillState.objects.all().delete()
    stats_advance()
    assert table_state() == recounted


def test_a_backdated_change_marks_the_filled_days_and_the_job_recounts_them():
    w = world()
    stats_advance()
    day = w.start + timedelta(days=4)
    # Added today, but dated four days after the start: an import of an earlier enrolment.
    add_student(w, at(w.organisation, day, 600))
    assert DirtyDay.objects.filter(indicator="coverage.v1", day=day).exists()
    assert not DirtyDay.objects.filter(indicator="coverage.v1", day=day - timedelta(days=1)).exists()

    report = stats_advance()

    assert report.recounted > 0 and not DirtyDay.objects.exists()
    assert value(w.organisation, "coverage.v1", day - timedelta(days=1), "students.joined") == 3
    assert value(w.organisation, "coverage.v1", day, "students.joined") == 4
    recounted = table_state()
    stats_backfill(first=w.start, last=local_day(timezone.now(), w.organisation.time_zone))
    assert table_state() == recounted


def test_an_everyday_change_marks_nothing(django_assert_num_queries):
    w = world()
    stats_advance()
    student = UserFactory()
    with django_assert_num_queries(1):
        join(w.organisation, student, Role.STUDENT, timezone.now())
    assert not DirtyDay.objects.exists()


def test_invites_are_counted_by_what_happened_to_them_that_day():
    w = world()
    day = w.start + timedelta(days=1)
    when = at(w.organisation, day, 600)

    def invite(status, role="parent", changed=None):
        return Invite.objects.create(
            organisation=w.organisation, target_group=w.group, role=role, created_by=w.teacher, created_at=when,
            expires_at=when + timedelta(days=3), status=status, status_changed_at=changed,
            token_hash=f"{status}{role}{changed}", token_encrypted="x",
        )  # fmt: skip

    invite("active")
    invite("expired", changed=when + timedelta(days=1))
    invite("revoked", role="student", changed=when + timedelta(hours=1))
    annulled = invite("revoked", role="teacher", changed=when + timedelta(hours=2))
    from orgs.models import AuditEntry

    AuditEntry.objects.create(
        organisation=w.organisation, action="invite.annulled", object_type="invite", object_id=str(annulled.pk),
        created_at=when + timedelta(hours=2),
    )  # fmt: skip

    stats_advance()

    org = w.organisation
    assert value(org, "invites.v1", day, "created.parent") == 2
    assert value(org, "invites.v1", day, "created.student") == 1
    assert value(org, "invites.v1", day, "revoked.student") == 1
    assert value(org, "invites.v1", day, "annulled.teacher") == 1
    assert value(org, "invites.v1", day, "revoked.teacher") == 0
    assert value(org, "invites.v1", day + timedelta(days=1), "expired.parent") == 1


def test_a_second_filler_finds_the_lease_taken_and_does_nothing():
    w = world()
    assert lease_acquire(holder="other-worker")
    assert stats_advance().busy
    assert not OrgDayCount.objects.filter(organisation=w.organisation).exists()
    lease_release(holder="other-worker")
    assert not stats_advance().busy


def test_a_lease_left_by_a_crashed_filler_runs_out():
    world()
    Lease.objects.create(name="stats-fill", holder="crashed", lease_until=timezone.now() - timedelta(seconds=1))
    assert not stats_advance().busy


def test_stats_check_fails_while_the_statistics_lag_and_passes_once_filled(capsys):
    organisation_since("Europe/Moscow", local_day(timezone.now(), "Europe/Moscow") - timedelta(days=5))
    with pytest.raises(CommandError) as failure:
        call_command("stats_check")
    assert failure.value.returncode == 1
    assert "coverage.v1" in capsys.readouterr().out
    call_command("stats_advance")
    call_command("stats_check")
    assert "вовремя" in capsys.readouterr().out


def test_per_user_rows_are_kept_forty_days_and_the_counts_for_good():
    # 42 local days ago: past the 40 days whatever the hour (the purge counts from the UTC date, which is a day
    # behind Irkutsk's in the evening UTC, so it never deletes a row early).
    w = world(start=local_day(timezone.now(), "Asia/Irkutsk") - timedelta(days=43))
    day = w.start + timedelta(days=1)
    post(w.class_chat, w.teacher, at(w.organisation, day, 600))
    stats_backfill(first=day, last=day)
    assert UserDay.objects.filter(day=day, user=w.teacher, took_part=True).exists()

    purge_expired(now=timezone.now())

    assert not UserDay.objects.filter(day=day).exists()
    assert value(w.organisation, "active_users.v1", day, "dau.all") == 1


def test_the_same_text_by_the_same_author_within_24_hours_is_a_repeat_even_across_midnight():
    w = world()
    org, day = w.organisation, w.start + timedelta(days=1)
    text = "Не забудьте сменную обувь на завтра"
    post(w.class_chat, w.teacher, at(org, day, 22 * 60), text=text)
    post(w.parents_chat, w.teacher, at(org, day + timedelta(days=1), 21 * 60), text=text)  # 23 hours later
    post(w.class_chat, w.students[0], at(org, day + timedelta(days=1), 21 * 60 + 1), text=text)  # another author
    post(w.class_chat, w.teacher, at(org, day + timedelta(days=2), 23 * 60), text=text)  # 26 hours after the last

    stats_advance()

    assert value(org, "activity.v1", day, "messages.trivial") == 0
    assert value(org, "activity.v1", day + timedelta(days=1), "messages.trivial.repeat") == 1
    assert value(org, "activity.v1", day + timedelta(days=1), "messages") == 2
    assert value(org, "activity.v1", day + timedelta(days=2), "messages.trivial") == 0


def test_each_message_counts_once_under_its_authors_main_role_and_files_or_a_poll_make_it_content():
    w = world()
    org, day = w.organisation, w.start + timedelta(days=1)
    join(org, w.teacher, Role.PARENT, at(org, w.start))  # a teacher who is a parent too counts as a teacher
    with_files = post(w.class_chat, w.teacher, at(org, day, 600), text="👍")
    for name in ("a.jpg", "b.jpg"):
        Attachment.objects.create(
            message=with_files, chat=w.class_chat, kind="photo", file=name, original_name=name,
            content_type="image/jpeg", size=10,
        )  # fmt: skip
    Poll.objects.create(message=post(w.class_chat, w.teacher, at(org, day, 601), text="👍"), question="Когда?")
    post(w.parents_chat, w.teacher, at(org, day, 602), text="👍")  # a repeat of the poll's caption
    post(w.class_chat, None, at(org, day, 603), text="👍")  # a system message is never trivial

    stats_advance()

    expected = {
        "messages": 4,
        "messages.role.teacher": 3,
        "messages.role.parent": 0,
        "messages.role.system": 1,
        "messages.with_files": 1,
        "polls": 1,
        "messages.trivial": 1,
        "messages.trivial.repeat": 1,
    }
    assert {key: value(org, "activity.v1", day, key) for key in expected} == expected


def test_join_requests_store_decision_times_for_the_median_and_the_90th_percentile():
    from invites.models import JoinRequest
    from stats.selectors import decision_time_quantiles

    w = world()
    org, day = w.organisation, w.start + timedelta(days=2)
    decided = at(org, day, 12 * 60)
    for hours, status in [(0.5, "approved"), (3, "approved"), (5, "rejected"), (30, "approved"), (200, "approved")]:
        JoinRequest.objects.create(
            organisation=org, user=UserFactory(), role="parent", group=w.group, status=status,
            created_at=decided - timedelta(hours=hours), decided_at=decided,
        )  # fmt: skip
    JoinRequest.objects.create(organisation=org, user=UserFactory(), role="student", created_at=decided)

    stats_advance()

    assert value(org, "join_requests.v1", day, "approved.parent") == 4
    assert value(org, "join_requests.v1", day, "rejected.parent") == 1
    assert value(org, "join_requests_pending.v1", day, "pending.student") == 1
    # The two filed before that day were still pending at the end of the day before; none is at the day's end.
    assert value(org, "join_requests_pending.v1", day - timedelta(days=1), "pending.parent") == 2
    assert value(org, "join_requests_pending.v1", day, "pending.parent") == 0
    quantiles = decision_time_quantiles(organisation_ids=[org.pk], first=w.start, last=day)
    assert quantiles == {0.5: 8, 0.9: 336}


def test_reports_are_counted_when_filed_and_when_resolved():
    from chats.models import Report

    w = world()
    org, day = w.organisation, w.start + timedelta(days=1)
    message = post(w.class_chat, w.students[0], at(org, day, 600), text="Пишите мне в мессенджер")
    filed = at(org, day, 610)
    Report.objects.create(organisation=org, chat=w.class_chat, message=message, reporter=w.students[1],
                          reason="forbidden_service", created_at=filed)  # fmt: skip
    Report.objects.create(organisation=org, chat=w.class_chat, message=message, reporter=w.students[2],
                          reason="spam", created_at=filed, status="message_deleted", resolved_by=w.teacher,
                          resolved_at=filed + timedelta(days=1))  # fmt: skip

    stats_advance()

    assert value(org, "moderation.v1", day, "filed.forbidden_service") == 1
    assert value(org, "moderation.v1", day, "filed.spam") == 1
    assert value(org, "moderation.v1", day, "resolved.message_deleted") == 0
    assert value(org, "moderation.v1", day + timedelta(days=1), "resolved.message_deleted") == 1


def test_texts_refused_by_the_content_rules_are_counted_on_their_local_day():
    from unittest import mock

    from chats.services.messages import message_edit, message_post
    from portal.exceptions import RuleViolation

    w = world()
    org, day = w.organisation, w.start + timedelta(days=2)
    kept = post(w.class_chat, w.students[1], at(org, day, 500))
    # Just after the local midnight: that day in Irkutsk, still the day before in Moscow and in UTC.
    with mock.patch("django.utils.timezone.now", return_value=at(org, day, 10)):
        with pytest.raises(RuleViolation):
            message_post(chat=w.class_chat, actor=w.students[0], text="Все сюда: https://chat.whatsapp.com/AbCd123")
        with pytest.raises(RuleViolation):
            message_edit(message=kept, actor=w.students[1], text="добавляйтесь в вотсап, там удобнее")

    stats_advance()

    assert value(org, "content_refusals.v1", day, "rule.forbidden_service") == 2
    assert value(org, "content_refusals.v1", day, "place.message") == 1
    assert value(org, "content_refusals.v1", day, "place.edit") == 1
    assert value(org, "content_refusals.v1", day - timedelta(days=1), "rule.forbidden_service") == 0
    # The refused texts are not messages of the day.
    assert value(org, "activity.v1", day, "messages") == 1


def test_a_class_whose_chat_has_only_its_curator_does_not_count_as_having_its_chats():
    w = world(students=0)
    day = w.start + timedelta(days=1)
    stats_advance()
    assert value(w.organisation, "coverage.v1", day, "classes") == 1
    assert value(w.organisation, "coverage.v1", day, "classes.with_chats") == 0
    add_student(w, at(w.organisation, day, 600))
    stats_advance()
    assert value(w.organisation, "coverage.v1", day, "classes.with_chats") == 1


def test_a_class_whose_curator_is_not_verified_is_counted_until_the_day_of_verification():
    from orgs.models import CuratorAssignment, Membership

    w = world(students=1)
    org, day = w.organisation, w.start + timedelta(days=2)
    newcomer = UserFactory()
    join(org, newcomer, Role.TEACHER, at(org, w.start), position="teacher", verification="pending")
    # The verified teacher of world() curates the class until the day, the newcomer from then on.
    CuratorAssignment.objects.create(
        organisation=org, group=w.group, teacher=w.teacher, valid_from=at(org, w.start), valid_to=at(org, day, 60)
    )
    CuratorAssignment.objects.create(organisation=org, group=w.group, teacher=newcomer, valid_from=at(org, day, 60))
    Membership.objects.filter(user=newcomer).update(
        verification="verified", verified_at=at(org, day + timedelta(days=2))
    )

    stats_advance()

    assert value(org, "curators.v1", day - timedelta(days=1), "classes.curator_unverified") == 0
    assert value(org, "curators.v1", day, "classes.curator_unverified") == 1
    assert value(org, "curators.v1", day + timedelta(days=1), "classes.curator_unverified") == 1
    assert value(org, "curators.v1", day + timedelta(days=2), "classes.curator_unverified") == 0
    per_class = ClassDayCount.objects.filter(indicator="curators.v1", group=w.group, subgroup="curator.unverified")
    assert sorted(per_class.values_list("day", flat=True)) == [day, day + timedelta(days=1)]


def test_organisations_counted_together_get_the_rows_each_would_get_alone():
    # Two schools of one time zone share a batch, the third (another zone) has its own; a parent of both schools
    # writes the same text in each: a repeat is judged within one school, never across them.
    first, second, other = world(), world(), world("Europe/Kaliningrad")
    day = first.start + timedelta(days=2)
    parent = first.parents[0]
    join(second.organisation, parent, Role.PARENT, at(second.organisation, first.start))
    for w in (first, second, other):
        post(w.parents_chat, w.parents[0], at(w.organisation, day, 600), "Спасибо!")
        post(w.class_chat, w.teacher, at(w.organisation, day, 610))
    post(second.parents_chat, parent, at(second.organisation, day, 620), "Спасибо!")

    stats_advance()
    together = {w.organisation.pk: table_state([w.organisation.pk]) for w in (first, second, other)}
    assert value(second.organisation, "activity.v1", day, "messages.trivial.one_word") == 2
    assert value(second.organisation, "activity.v1", day, "messages.trivial.repeat") == 0
    assert value(second.organisation, "active_users.v1", day, "dau.parent.took_part") == 2

    for model in (OrgDayCount, ClassDayCount, UserDay, FillState):
        model.objects.all().delete()
    yesterday = local_day(timezone.now(), first.organisation.time_zone) - timedelta(days=1)
    for w in (first, second, other):
        stats_backfill(first=w.start, last=yesterday, organisation_ids=[w.organisation.pk])
        assert table_state([w.organisation.pk]) == together[w.organisation.pk]


def test_filling_a_day_costs_the_same_queries_for_two_schools_as_for_five():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    schools = []

    def day_fill_queries(more: int) -> int:
        """Queries of filling the last day again, once `more` schools of the same zone have joined the district."""
        for _ in range(more):
            w = world(start=first_day("Asia/Irkutsk"))
            post(w.class_chat, w.teacher, at(w.organisation, w.start + timedelta(days=1), 480))
            schools.append(w)
        stats_advance()
        FillState.objects.update(last_filled_day=F("last_filled_day") - timedelta(days=1))
        with CaptureQueriesContext(connection) as queries:
            report = stats_advance()
        assert report.buckets == len(schools) * len(fill.indicators())
        return len(queries)

    assert day_fill_queries(2) == day_fill_queries(3)


def test_deleting_a_message_of_a_filled_day_recounts_it_and_the_next_days_copy_of_its_text():
    w = world("Asia/Vladivostok")
    org = w.organisation
    yesterday = local_day(timezone.now(), org.time_zone) - timedelta(days=1)
    before = yesterday - timedelta(days=1)
    text = "Родительское собрание в четверг в 18:00"
    first = Message.objects.create(chat=w.parents_chat, author=w.teacher, text=text, created_at=at(org, before, 1380))
    copy = Message.objects.create(chat=w.class_chat, author=w.teacher, text=text, created_at=at(org, yesterday, 600))
    stats_advance()
    assert value(org, "activity.v1", yesterday, "messages.trivial.repeat") == 1

    message_delete(message=first, actor=w.teacher)

    marked = set(DirtyDay.objects.filter(organisation=org, indicator="activity.v1").values_list("day", flat=True))
    assert marked == {before, yesterday}
    stats_advance()
    # The copy of yesterday repeats nothing now; the deleted message is still counted, but not judged.
    assert value(org, "activity.v1", yesterday, "messages.trivial") == 0
    assert value(org, "activity.v1", before, "messages") == 1
    assert not DirtyDay.objects.exists()
    assert Message.objects.get(pk=copy.pk).repeats is False
