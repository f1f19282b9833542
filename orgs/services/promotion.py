"""«Перевод на следующий учебный год»: the whole organisation moves up one grade in one action.

The preview builds a plan (each class is promoted, graduated, excluded, merged into another or split); the
administrator changes it and confirms; one job applies it in one transaction, so that a crash leaves nothing half
done and a re-run of the same promotion changes nothing. Promoted classes keep their row (5А becomes 6А in the new
year): their students, curator, teachers and chats follow without a move, the chats only take the new name.
"""

import re
from collections import defaultdict

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.exceptions import Conflict, RuleViolation

from ..models import (
    AcademicYear,
    CuratorAssignment,
    Group,
    Organisation,
    OrganisationKind,
    Placement,
)
from ..movement_models import Promotion
from ..permissions import require
from .audit import audit_record
from .structure import class_name

PROMOTE, GRADUATE, EXCLUDE, MERGE, SPLIT = "promote", "graduate", "exclude", "merge", "split"
ACTIONS = (PROMOTE, GRADUATE, EXCLUDE, MERGE, SPLIT)


def current_year(organisation: Organisation) -> AcademicYear:
    year = AcademicYear.objects.filter(organisation=organisation, is_current=True).first()
    if year is None:
        raise RuleViolation(_("Сначала добавьте текущий учебный год."), code="year_required")
    return year


def next_year_name(year: AcademicYear) -> str:
    """«2025/2026» → «2026/2027»; any other name gets the years of its dates moved on by one."""
    found = re.fullmatch(r"\s*(\d{4})\s*([/–-])\s*(\d{2,4})\s*", year.name)
    if found:
        first, sep, second = int(found[1]), found[2], found[3]
        return f"{first + 1}{sep}{int(second) + 1:0{len(second)}d}"
    return f"{year.starts_on.year + 1}/{year.ends_on.year + 1}"


def last_grade(organisation: Organisation, classes: list[Group]) -> int | None:
    """The grade that graduates: 11 in a school that teaches beyond the 9th grade, else 9; elsewhere (courses of a
    college, steps of a kindergarten) the highest grade there is. The preview lets the administrator change it."""
    grades = [c.grade for c in classes if c.grade]
    if organisation.kind == OrganisationKind.SCHOOL:
        return 11 if any(g >= 10 for g in grades) else 9
    return max(grades) if grades else None


def _next_name(organisation: Organisation, group: Group) -> str:
    if organisation.kind == OrganisationKind.SCHOOL and group.grade:
        return class_name(organisation, group.grade + 1, group.letter)
    return group.name


def split_name(organisation: Organisation, name: str) -> tuple[int | None, str]:
    """A part of a split named by the administrator («10Б») as grade and letter."""
    name = name.strip()
    found = re.fullmatch(r"(\d{1,2})\s*(.*)", name)
    if organisation.kind == OrganisationKind.SCHOOL and found:
        return int(found[1]), found[2].strip().upper()
    return None, name


def _classes(organisation: Organisation, year: AcademicYear) -> list[Group]:
    return list(
        Group.objects.filter(
            organisation=organisation, kind=Group.Kind.CLASS, academic_year=year, is_archived=False
        ).order_by("grade", "name", "pk")
    )


def promotion_preview(*, organisation: Organisation, actor, changes: dict | None = None) -> dict:
    """The plan of the promotion from the current year, with the administrator's changes applied and checked.

    `changes` maps a class id to {"action", "merge_into", "parts", "students"}. The answer lists each class with
    what will happen, its students (for a split), the totals, and `errors` (a plan with errors cannot be confirmed).
    """
    require(actor, "manage_movement", organisation)
    year = current_year(organisation)
    classes = _classes(organisation, year)
    top = last_grade(organisation, classes)
    changes = {str(k): v for k, v in (changes or {}).items()}
    by_id = {c.pk: c for c in classes}
    students = defaultdict(list)
    for p in (
        Placement.objects.filter(group__in=classes, valid_to__isnull=True)
        .select_related("student")
        .order_by("student__last_name", "student__first_name", "pk")
    ):
        students[p.group_id].append(p.student)
    curators = {
        a.group_id: a.teacher.full_name
        for a in CuratorAssignment.objects.filter(group__in=classes, valid_to__isnull=True).select_related("teacher")
    }
    rows, errors = [], []
    vocab = organisation.vocabulary
    for c in classes:
        default = GRADUATE if (top is not None and c.grade is not None and c.grade >= top) else PROMOTE
        change = changes.get(str(c.pk)) or {}
        action = change.get("action") or default
        if action not in ACTIONS:
            errors.append(_("%(name)s: неизвестное действие.") % {"name": c.name})
            action = default
        row = {
            "group": c.pk,
            "name": c.name,
            "grade": c.grade,
            "students": len(students[c.pk]),
            "curator": curators.get(c.pk, ""),
            "action": action,
            "default": default,
            "to": _next_name(organisation, c) if action in (PROMOTE, SPLIT) else "",
            "merge_into": None,
            "parts": [],
            "split": {},
        }
        if action == MERGE:
            target = by_id.get(_int(change.get("merge_into")))
            if target is None or target.pk == c.pk:
                errors.append(
                    _("%(name)s: выберите класс, с которым объединить.") % {"name": c.name}
                    if vocab.is_class
                    else _("%(name)s: выберите %(group)s, с которой объединить.")
                    % {"name": c.name, "group": vocab.group_accusative}
                )
            else:
                row["merge_into"] = target.pk
        if action == SPLIT:
            parts = [p.strip() for p in (change.get("parts") or []) if p and p.strip()]
            if len(parts) < 2:
                errors.append(
                    _("%(name)s: для разделения укажите не меньше двух новых классов, например «10А, 10Б».")
                    % {"name": c.name}
                    if vocab.is_class
                    else _("%(name)s: для разделения укажите не меньше двух новых %(groups)s.")
                    % {"name": c.name, "groups": vocab.groups_genitive}
                )
            row["parts"] = parts
            row["to"] = parts[0] if parts else row["to"]
            assigned = {str(k): _int(v) for k, v in (change.get("students") or {}).items()}
            pupils = students[c.pk]
            for index, pupil in enumerate(pupils):
                part = assigned.get(str(pupil.pk))
                if part is None or not (0 <= part < max(len(parts), 1)):
                    part = index * max(len(parts), 1) // max(len(pupils), 1)  # halves in alphabetical order
                row["split"][str(pupil.pk)] = part
            row["pupils"] = [{"id": p.pk, "name": p.full_name, "part": row["split"][str(p.pk)]} for p in pupils]
        rows.append(row)
    for row in rows:
        if row["action"] == MERGE and row["merge_into"]:
            into = next(r for r in rows if r["group"] == row["merge_into"])
            if into["action"] != PROMOTE:
                errors.append(
                    _("%(name)s: объединять можно только с классом, который переводится целиком.")
                    % {"name": row["name"]}
                    if vocab.is_class
                    else _("%(name)s: объединять можно только с %(group)s, которая переводится целиком.")
                    % {"name": row["name"], "group": vocab.group_instrumental}
                )
            row["to"] = into["to"] or into["name"]
    _check_names(organisation, year, rows, errors)
    totals = {
        "classes": len(rows),
        "students": sum(r["students"] for r in rows),
        "graduates": sum(r["students"] for r in rows if r["action"] == GRADUATE),
    }
    done = Promotion.objects.filter(organisation=organisation, from_year=year).first()
    return {
        "from_year": year.pk,
        "from_year_name": year.name,
        "to_year_name": next_year_name(year),
        "last_grade": top,
        "rows": rows,
        "totals": totals,
        "errors": errors,
        "promotion": done.pk if done else None,
    }


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _check_names(organisation, year, rows, errors) -> None:
    """The classes of the new year must have different names (merged classes share their target's on purpose)."""
    names = defaultdict(list)
    for row in rows:
        if row["action"] == PROMOTE:
            names[row["to"]].append(row["name"])
        elif row["action"] == SPLIT:
            for part in row["parts"]:
                names[part].append(row["name"])
    to_year = AcademicYear.objects.filter(organisation=organisation, name=next_year_name(year)).first()
    existing = set()
    if to_year is not None:
        existing = set(
            Group.objects.filter(
                organisation=organisation, academic_year=to_year, kind=Group.Kind.CLASS, is_archived=False
            ).values_list("name", flat=True)
        )
    vocab = organisation.vocabulary
    group = str(vocab.group)[:1].upper() + str(vocab.group)[1:]
    for name, sources in sorted(names.items()):
        if len(sources) > 1:
            errors.append(
                _(
                    "%(group)s «%(name)s» получается из нескольких %(groups)s (%(sources)s): "
                    "объедините их или измените название."
                )
                % {"group": group, "name": name, "groups": vocab.groups_genitive, "sources": ", ".join(sources)}
            )
        elif name in existing:
            errors.append(_("%(group)s «%(name)s» уже есть в новом учебном году.") % {"group": group, "name": name})


def promotion_confirm(*, organisation: Organisation, actor, changes: dict | None = None, from_year=None) -> Promotion:
    """Confirm the plan and queue the job. A year already promoted gives its promotion back and changes nothing."""
    require(actor, "manage_movement", organisation)
    if from_year is not None:
        done = Promotion.objects.filter(organisation=organisation, from_year_id=_int(from_year)).first()
        if done is not None and done.status in (Promotion.Status.DONE, Promotion.Status.RUNNING):
            return done
    plan = promotion_preview(organisation=organisation, actor=actor, changes=changes)
    if from_year is not None and _int(from_year) != plan["from_year"]:
        raise Conflict(_("Учебный год уже сменился: обновите страницу."), code="year_changed")
    if plan["errors"]:
        raise RuleViolation(" ".join(plan["errors"]), code="promotion_plan_invalid")
    from portal.dispatch import queue_after_commit

    from ..tasks import run_promotion

    with transaction.atomic():
        promotion = (
            Promotion.objects.select_for_update()
            .filter(organisation=organisation, from_year_id=plan["from_year"])
            .first()
        )
        if promotion is not None and promotion.status in (Promotion.Status.DONE, Promotion.Status.RUNNING):
            return promotion
        if promotion is None:
            try:
                with transaction.atomic():
                    promotion = Promotion.objects.create(
                        organisation=organisation,
                        from_year_id=plan["from_year"],
                        to_year_name=plan["to_year_name"],
                        created_by=actor,
                    )
            except IntegrityError:  # a second confirmation raced this one: it is the same promotion
                return Promotion.objects.get(organisation=organisation, from_year_id=plan["from_year"])
        promotion.plan = plan["rows"]
        promotion.total = len(plan["rows"])
        promotion.status, promotion.error, promotion.done = Promotion.Status.QUEUED, "", 0
        promotion.save(update_fields=["plan", "total", "status", "error", "done"])
        audit_record(
            organisation=organisation,
            actor=actor,
            action="promotion.confirmed",
            obj=promotion,
            details={"count": promotion.total},
        )
        queue_after_commit(run_promotion, promotion.pk)
    return promotion


def progress_key(promotion_id: int) -> str:
    return f"promotion:{promotion_id}:done"


def promotion_progress(promotion: Promotion) -> dict:
    """Classes done out of the total: the running job's count lives in the cache (its rows commit at the end)."""
    done = promotion.done
    if promotion.status in (Promotion.Status.QUEUED, Promotion.Status.RUNNING):
        try:
            done = cache.get(progress_key(promotion.pk)) or done
        except Exception:  # a cache outage only hides the progress
            pass
    return {"status": promotion.status, "done": done, "total": promotion.total}


def promotion_get(*, organisation: Organisation, actor, pk) -> Promotion:
    require(actor, "manage_movement", organisation)
    promotion = Promotion.objects.filter(organisation=organisation, pk=_int(pk)).select_related("from_year").first()
    if promotion is None:
        from portal.exceptions import NotFound

        raise NotFound(_("Перевод не найден."))
    return promotion
