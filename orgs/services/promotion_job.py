"""The promotion's job: apply a confirmed plan in one transaction (see promotion.py for the plan).

A crash leaves nothing half done and the next run does it all; a run of a promotion already done changes nothing.
Promoted classes keep their row (5А becomes 6А in the new year), so their students, curator, teachers and chats
follow without a move; graduates leave with reason «выпуск»; merged-away classes are archived with their chats.
"""

import datetime

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.exceptions import PortalError

from ..models import AcademicYear, CuratorAssignment, Group, Membership, Organisation, Placement, TeachingAssignment
from ..movement_models import Movement, Promotion
from ..permissions import permissions_sync_user
from ..signals import structure_changed_after_commit
from .audit import audit_record
from .membership import membership_end
from .promotion import EXCLUDE, GRADUATE, MERGE, PROMOTE, SPLIT, progress_key, split_name


def promotion_run(promotion_id: int) -> Promotion | None:
    """The job: apply the confirmed plan in one transaction. Safe to run twice and after a crash."""
    try:
        with transaction.atomic():
            promotion = (
                Promotion.objects.select_for_update()
                .select_related("organisation", "from_year", "created_by")
                .filter(pk=promotion_id)
                .first()
            )
            if promotion is None or promotion.status == Promotion.Status.DONE:
                return promotion
            _apply(promotion)
            return promotion
    except PortalError as error:
        Promotion.objects.filter(pk=promotion_id).exclude(status=Promotion.Status.DONE).update(
            status=Promotion.Status.FAILED, error=error.message[:500]
        )
        return Promotion.objects.get(pk=promotion_id)


def _new_year(promotion: Promotion) -> AcademicYear:
    organisation, old = promotion.organisation, promotion.from_year
    year = AcademicYear.objects.filter(organisation=organisation, name=promotion.to_year_name).first()
    if year is None:
        year = AcademicYear.objects.create(
            organisation=organisation,
            name=promotion.to_year_name,
            starts_on=_plus_year(old.starts_on),
            ends_on=_plus_year(old.ends_on),
        )
    AcademicYear.objects.filter(organisation=organisation, is_current=True).exclude(pk=year.pk).update(is_current=False)
    if not year.is_current:
        year.is_current = True
        year.save(update_fields=["is_current"])
    return year


def _plus_year(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _apply(promotion: Promotion) -> None:
    organisation, actor = promotion.organisation, promotion.created_by
    year = _new_year(promotion)
    rows = promotion.plan
    groups = Group.objects.in_bulk([r["group"] for r in rows])
    report = {"promoted": [], "graduated": [], "excluded": [], "merged": [], "split": []}
    touched, movements, now = set(), [], timezone.now()
    order = {GRADUATE: 0, EXCLUDE: 1, SPLIT: 2, PROMOTE: 3, MERGE: 4}
    targets: dict[int, Group] = {}
    for index, row in enumerate(sorted(rows, key=lambda r: order[r["action"]])):
        group = groups.get(row["group"])
        if group is None or group.is_archived or group.academic_year_id != promotion.from_year_id:
            continue  # gone or moved since the preview: left as it is
        action = row["action"]
        pupils = list(Placement.objects.filter(group=group, valid_to__isnull=True).select_related("student"))
        if action == EXCLUDE:
            report["excluded"].append({"class": group.name, "students": len(pupils)})
        elif action == GRADUATE:
            _graduate(promotion, group, pupils, actor)
            report["graduated"].append({"class": group.name, "students": len(pupils)})
        elif action in (PROMOTE, SPLIT):
            old_name = group.name
            new_groups = _promote(organisation, year, group, row)
            targets[group.pk] = group
            for pupil in pupils:
                part = row["split"].get(str(pupil.student_id), 0) if action == SPLIT else 0
                into = new_groups[part] if part < len(new_groups) else group
                if into.pk != group.pk:
                    _move(pupil, into, now)
                movements.append(_movement(organisation, pupil.student, old_name, into, actor, now))
            touched |= {g.pk for g in new_groups}
            entry = {"from": old_name, "to": group.name, "students": len(pupils), "curator": row.get("curator", "")}
            report["promoted"].append(entry)
            if action == SPLIT:
                report["split"].append({"from": old_name, "to": [g.name for g in new_groups], "students": len(pupils)})
        elif action == MERGE:
            into = targets.get(row["merge_into"]) or groups.get(row["merge_into"])
            for pupil in pupils:
                _move(pupil, into, now)
                movements.append(_movement(organisation, pupil.student, group.name, into, actor, now))
            _retire(group, now)
            report["merged"].append({"from": group.name, "to": into.name, "students": len(pupils)})
        touched.add(group.pk)
        promotion.done = index + 1
        try:
            cache.set(progress_key(promotion.pk), promotion.done, 3600)
        except Exception:  # a cache outage only hides the progress
            pass
    Movement.objects.bulk_create(movements, batch_size=500)
    report["year"] = year.name
    report["students_moved"] = len(movements)
    promotion.report = report
    promotion.to_year = year
    promotion.status = Promotion.Status.DONE
    promotion.finished_at = timezone.now()
    promotion.save()
    audit_record(
        organisation=organisation,
        actor=actor,
        action="promotion.completed",
        obj=promotion,
        details={"count": len(movements), "period": f"{promotion.from_year.name} → {year.name}"},
    )
    curators = CuratorAssignment.objects.filter(group_id__in=touched, valid_to__isnull=True).values_list(
        "teacher_id", flat=True
    )
    structure_changed_after_commit(organisation=organisation, groups=touched, users=list(curators))


def _promote(organisation: Organisation, year: AcademicYear, group: Group, row: dict) -> list[Group]:
    """Move the class itself into the new year one grade up; a split also creates its other parts there."""
    grade = group.grade + 1 if group.grade is not None else None
    if row["action"] == SPLIT:
        grade0, letter0 = split_name(organisation, row["parts"][0])
        group.grade, group.letter, group.name = grade0 or grade, letter0, row["parts"][0]
    else:
        group.grade, group.name = grade, row["to"] or group.name
    group.academic_year = year
    group.save(update_fields=["grade", "letter", "name", "academic_year"])
    parts = [group]
    for name in row.get("parts", [])[1:]:
        part_grade, letter = split_name(organisation, name)
        parts.append(
            Group.objects.create(
                organisation=organisation,
                kind=Group.Kind.CLASS,
                name=name,
                grade=part_grade or grade,
                letter=letter,
                academic_year=year,
                parent=group.parent,
            )
        )
    return parts


def _move(placement: Placement, into: Group, now) -> None:
    placement.valid_to = now
    placement.save(update_fields=["valid_to"])
    Placement.objects.create(
        organisation_id=placement.organisation_id, student_id=placement.student_id, group=into, valid_from=now
    )


def _movement(organisation, student, from_name: str, into: Group, actor, now) -> Movement:
    return Movement(
        organisation=organisation,
        user=student,
        kind=Movement.Kind.PROMOTE,
        role=Membership.Role.STUDENT,
        from_name=from_name,
        to_group=into,
        to_name=into.name,
        actor=actor,
        created_at=now,
    )


def _retire(group: Group, now) -> None:
    """The class leaves the structure as history: its assignments end, it is archived (its chats with it)."""
    CuratorAssignment.objects.filter(group=group, valid_to__isnull=True).update(valid_to=now)
    TeachingAssignment.objects.filter(group=group, valid_to__isnull=True).update(valid_to=now)
    group.is_archived = True
    group.save(update_fields=["is_archived"])


def _graduate(promotion: Promotion, group: Group, pupils: list[Placement], actor) -> None:
    """The last grade leaves with reason «выпуск»; the class and its chats stay in the archive, read-only."""
    memberships = Membership.objects.filter(
        organisation=promotion.organisation,
        user_id__in=[p.student_id for p in pupils],
        role=Membership.Role.STUDENT,
        valid_to__isnull=True,
    ).select_related("organisation", "user")
    for membership in memberships:
        membership_end(membership=membership, actor=actor, reason="выпуск", kind=Movement.Kind.GRADUATE, system=True)
    teachers = set(
        CuratorAssignment.objects.filter(group=group, valid_to__isnull=True).values_list("teacher_id", flat=True)
    ) | set(TeachingAssignment.objects.filter(group=group, valid_to__isnull=True).values_list("teacher_id", flat=True))
    _retire(group, timezone.now())
    for user in User.objects.filter(pk__in=teachers):
        permissions_sync_user(organisation=promotion.organisation, user=user)
