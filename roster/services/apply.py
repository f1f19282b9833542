"""Applying a confirmed import: one transaction that applies every accepted row or none.

Run again after a crash it starts from scratch (nothing of the failed run was kept); run again after success it
does nothing; a new import of the same file finds every person already here and creates nothing.
"""

import logging
import re

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from invites.models import Invite, InviteRole
from invites.services.bulk import PersonalLink, invites_create_personal
from orgs.models import Group, OrganisationKind
from orgs.services.audit import audit_record
from orgs.services.membership import student_place
from orgs.services.structure import group_create
from portal.accounts.models import User

from ..models import RosterEntry, RosterImport, RosterKind
from ..permissions import require_manage_roster
from ..planning import DUPLICATE, MOVED, NEW, Line, class_key, clean_class_name, plan_build

logger = logging.getLogger("roster.apply")
Status = RosterImport.Status
CHUNK = 500


def progress_key(import_id: int) -> str:
    return f"roster-import:{import_id}:done"


def roster_import_progress(imp: RosterImport) -> dict:
    """Rows done of the total: while the job runs its transaction hides the row, so the count is in the cache."""
    done = imp.done
    if imp.status == Status.RUNNING:
        done = cache.get(progress_key(imp.pk), 0)
    return {
        "status": imp.status,
        "done": done,
        "total": imp.total,
        "finished": imp.status in (Status.DONE, Status.FAILED),
    }


def roster_import_apply(import_id: int) -> RosterImport | None:
    """The job: apply the import in one transaction; a failure leaves nothing of it and marks it failed."""
    imp = RosterImport.objects.filter(pk=import_id).first()
    if imp is None or imp.status == Status.DONE:
        return imp
    RosterImport.objects.filter(pk=import_id).exclude(status=Status.DONE).update(status=Status.RUNNING)
    cache.set(progress_key(import_id), 0, 3600)
    try:
        with transaction.atomic():
            # Lock the import: a second worker given the same job waits here, then finds it done.
            imp = (
                RosterImport.objects.select_for_update().select_related("organisation", "created_by").get(pk=import_id)
            )
            if imp.status == Status.DONE:
                return imp
            _apply(imp)
    except Exception as error:
        logger.exception("Roster import %s failed", import_id)
        RosterImport.objects.filter(pk=import_id).update(
            status=Status.FAILED, last_error=f"{type(error).__name__}: {error}"[:500]
        )
        raise
    return imp


def _create_classes(imp: RosterImport, lines: list[Line]) -> dict[str, Group]:
    created = {}
    for line in lines:
        key = class_key(line.group_name)
        if line.create_class and key not in created:
            name = clean_class_name(imp.organisation, line.group_name)
            match = re.match(r"^(\d{1,2})(.*)$", name) if imp.organisation.kind == OrganisationKind.SCHOOL else None
            grade, letter = (int(match.group(1)), match.group(2)) if match else (None, name)
            created[key] = group_create(
                organisation=imp.organisation,
                actor=imp.created_by,
                kind=Group.Kind.CLASS,
                name=name,
                grade=grade,
                letter=letter,
            )
    for line in lines:
        if line.create_class:
            line.group = created[class_key(line.group_name)]
    return created


def _links_for(imp: RosterImport, line: Line) -> list[PersonalLink]:
    p = line.person
    full = " ".join(part for part in (p["last_name"], p["first_name"], p["patronymic"]) if part)
    if imp.kind == RosterKind.STAFF:
        return [PersonalLink(InviteRole.TEACHER, None, full, p["email"], p["phone"])]
    links = [PersonalLink(InviteRole.STUDENT, line.group, full, p["email"], p["phone"])]
    if line.is_minor:
        name = f"{p['parent_name']} (родитель: {full})" if p["parent_name"] else f"Родителям: {full}"
        links.append(PersonalLink(InviteRole.PARENT, line.group, name, p["parent_email"], p["parent_phone"]))
    return links


def _entry_for(imp: RosterImport, line: Line) -> RosterEntry:
    p = line.person
    return RosterEntry(
        organisation=imp.organisation,
        kind=imp.kind,
        key=line.key,
        last_name=p["last_name"],
        first_name=p["first_name"],
        patronymic=p["patronymic"],
        birth_date=p["birth_date"],
        email=p["email"],
        phone=p["phone"],
        group=line.group,
        is_minor=line.is_minor,
        parent_name=p.get("parent_name", ""),
        parent_contact=p.get("parent_email") or p.get("parent_phone") or "",
        parent_relation=p.get("parent_relation", ""),
        position=p.get("position", ""),
        subjects=p.get("subjects", ""),
        classes_taught=p.get("classes_taught", ""),
        curator_of=p.get("curator_of", ""),
        source=imp,
    )


def _add_new(imp: RosterImport, lines: list[Line]) -> dict:
    links, owners = [], []
    entries = []
    for line in lines:
        entry = _entry_for(imp, line)
        entries.append(entry)
        for link in _links_for(imp, line):
            links.append(link)
            owners.append(entry)
    invites = invites_create_personal(organisation=imp.organisation, actor=imp.created_by, links=links)
    for invite, entry in zip(invites, owners, strict=True):
        if invite.role == InviteRole.PARENT:
            entry.parent_invite = invite
        else:
            entry.invite = invite
    RosterEntry.objects.bulk_create(entries, batch_size=CHUNK)
    return {
        "links": len(invites),
        "parent_links": sum(1 for invite in invites if invite.role == InviteRole.PARENT),
    }


def _move(imp: RosterImport, lines: list[Line]) -> None:
    """A person already here in another class: an entry without an account moves with its links; a student with
    an account is transferred (the old placement is kept as history)."""
    waiting = [line.entry for line in lines if line.entry is not None and line.entry.user_id is None]
    for line in lines:
        if line.entry is not None and line.entry.user_id is None:
            line.entry.group = line.group
            Invite.objects.filter(
                pk__in=[line.entry.invite_id, line.entry.parent_invite_id], status=Invite.Status.ACTIVE
            ).update(target_group=line.group)
    RosterEntry.objects.bulk_update(waiting, ["group"], batch_size=CHUNK)
    user_ids = [line.entry.user_id if line.entry else line.user_id for line in lines]
    users = User.objects.in_bulk([pk for pk in user_ids if pk])
    for line, user_id in zip(lines, user_ids, strict=True):
        if user_id:
            student_place(organisation=imp.organisation, student=users[user_id], group=line.group, actor=imp.created_by)


def error_rows(plan) -> list[dict]:
    """The rows left out, with their messages, for the result page and the error report."""
    rows = []
    for line in plan.lines:
        if line.action == DUPLICATE:
            messages = [
                _("Строка %(n)s: повторяет строку %(m)s — пропущена.") % {"n": line.number, "m": line.duplicate_of}
            ]
        elif line.problems:
            messages = line.messages()
        else:
            continue
        rows.append({"row": line.number, "messages": messages, "cells": line.cells})
    return rows


def _apply(imp: RosterImport) -> None:
    require_manage_roster(imp.created_by, imp.organisation)
    plan = plan_build(imp)
    accepted = [line for line in plan.lines if line.ok]
    classes = _create_classes(imp, accepted)
    counts = {"links": 0, "parent_links": 0}
    done = 0
    for start in range(0, len(accepted), CHUNK):
        chunk = accepted[start : start + CHUNK]
        added = _add_new(imp, [line for line in chunk if line.action == NEW])
        counts = {k: counts[k] + added[k] for k in counts}
        _move(imp, [line for line in chunk if line.action == MOVED])
        done += len(chunk)
        cache.set(progress_key(imp.pk), done, 3600)
    errors = error_rows(plan)
    imp.result = {
        "new": sum(1 for line in accepted if line.action == NEW),
        "already": plan.totals.get("already", 0),
        "moved": plan.totals.get("moved", 0),
        "duplicates": plan.totals.get("duplicate", 0),
        "errors": plan.totals.get("error", 0),
        "classes_created": sorted(group.name for group in classes.values()),
        "group_ids": sorted({line.group.pk for line in accepted if line.group is not None}),
        **counts,
    }
    imp.errors = errors
    imp.status, imp.done, imp.finished_at = Status.DONE, plan.totals["rows"], timezone.now()
    imp.save(update_fields=["result", "errors", "status", "done", "finished_at"])
    audit_record(
        organisation=imp.organisation,
        actor=imp.created_by,
        action="roster.imported",
        obj=imp,
        details={k: v for k, v in imp.result.items() if k != "group_ids"},
    )
