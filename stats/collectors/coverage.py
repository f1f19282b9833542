"""Coverage at the end of each local day: who is registered and verified, how full the classes are, which classes
have their chats and a curator. Computed from the history fields (valid_from/valid_to), so a past day can be
recounted."""

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q

from chats.models import Chat, ChatMember
from orgs.models import CuratorAssignment, Group, Membership, ParentLink, Placement

from ..days import Batch
from ..registry import BatchRows, Grain, Indicator, Kind, register
from ._common import chat_open_at, valid_at

UNVERIFIED_LIMIT = timedelta(days=3)


def _members(batch: Batch, out: BatchRows) -> None:
    end = batch.end
    verified = Q(verification=Membership.Verification.VERIFIED, verified_at__lt=end)
    waiting = (
        Q(role=Membership.Role.TEACHER, valid_from__lt=end - UNVERIFIED_LIMIT)
        & ~Q(verification=Membership.Verification.NOT_REQUIRED)
        & ~verified
    )
    per_role = (
        Membership.objects.filter(valid_at(end), organisation_id__in=batch.organisation_ids)
        .values("organisation_id", "role", "position")
        .annotate(
            registered=Count("user", distinct=True),
            verified=Count("user", distinct=True, filter=verified),
            waiting=Count("user", distinct=True, filter=waiting),
        )
        .order_by()
    )
    for row in per_role:
        rows = out[row["organisation_id"]]
        rows.add(f"members.{row['role']}", row["registered"])
        if row["role"] == Membership.Role.TEACHER:
            rows.add(f"staff.registered.{row['position'] or 'none'}", row["registered"])
            rows.add(f"staff.verified.{row['position'] or 'none'}", row["verified"])
            rows.add("teachers.unverified_over_3_days", row["waiting"])


def _classes(batch: Batch, out: BatchRows) -> None:
    """Each class's figures from four grouped reads of the batch's classes (placements, chat members, curators),
    not a correlated count per class: a district's thousands of classes cost the same few queries."""
    end = batch.end
    classes = Group.objects.filter(
        organisation_id__in=batch.organisation_ids, kind=Group.Kind.CLASS, is_archived=False, created_at__lt=end
    ).order_by()
    has_parent = Exists(
        ParentLink.objects.filter(valid_at(end), organisation_id=OuterRef("organisation_id"), child=OuterRef("student"))
    )
    placed = {
        row["group_id"]: row
        for row in Placement.objects.filter(valid_at(end), group__in=classes.values("pk"))
        .values("group_id")
        .annotate(joined=Count("*"), with_parent=Count("pk", filter=Q(has_parent)))
        .order_by()
    }
    members = ChatMember.objects.filter(
        chat_open_at(end, "chat__"),
        chat__group__in=classes.values("pk"),
        chat__kind__in=(Chat.Kind.CLASS, Chat.Kind.CLASS_PARENTS),
        joined_at__lt=end,
    ).filter(Q(left_at__isnull=True) | Q(left_at__gte=end))
    in_chat = {
        (group_id, kind): n
        for group_id, kind, n in members.values_list("chat__group_id", "chat__kind").annotate(n=Count("*")).order_by()
    }
    curated = set(
        CuratorAssignment.objects.filter(valid_at(end), group__in=classes.values("pk")).values_list(
            "group_id", flat=True
        )
    )
    classes = [
        {
            "pk": pk,
            "organisation_id": organisation_id,
            "expected_size": expected_size,
            "joined": placed.get(pk, {}).get("joined", 0),
            "with_parent": placed.get(pk, {}).get("with_parent", 0),
            "class_chat": in_chat.get((pk, Chat.Kind.CLASS), 0),
            "parents_chat": in_chat.get((pk, Chat.Kind.CLASS_PARENTS), 0),
            "has_curator": pk in curated,
        }
        for pk, organisation_id, expected_size in classes.values_list("pk", "organisation_id", "expected_size")
    ]
    for c in classes:
        rows = out[c["organisation_id"]]
        chats_ok = c["class_chat"] >= 2 and c["parents_chat"] >= 2
        values = {
            "students.joined": c["joined"],
            "students.with_parent": c["with_parent"],
            "chat.class": int(c["class_chat"] >= 2),
            "chat.parents": int(c["parents_chat"] >= 2),
            "chats.both": int(chats_ok),
            "curator": int(c["has_curator"]),
        }
        if c["expected_size"]:
            values["students.planned"] = c["expected_size"]
        for subgroup, value in values.items():
            rows.add_class(c["pk"], subgroup, value)
        rows.add("classes", 1)
        rows.add("students.joined", c["joined"])
        rows.add("students.with_parent", c["with_parent"])
        rows.add("students.planned", c["expected_size"] or 0)
        rows.add("classes.with_chats", int(chats_ok))
        rows.add("classes.without_curator", int(not c["has_curator"]))


def compute(batch: Batch) -> BatchRows:
    out = BatchRows()
    _members(batch, out)
    _classes(batch, out)
    return out


def compute_curators(batch: Batch) -> BatchRows:
    """Classes whose curator at the day's end is not a verified teacher of the organisation (a weak spot: a parent
    cannot be sure who speaks for the class). A class without a curator is counted by `coverage`, not here."""
    end = batch.end
    confirmed = Membership.objects.filter(
        valid_at(end),
        organisation_id=OuterRef("organisation_id"),
        user=OuterRef("teacher"),
        role=Membership.Role.TEACHER,
    ).filter(
        Q(verification=Membership.Verification.NOT_REQUIRED)
        | Q(verification=Membership.Verification.VERIFIED, verified_at__lt=end)
    )
    unverified = CuratorAssignment.objects.filter(valid_at(end), group=OuterRef("pk")).filter(~Exists(confirmed))
    classes = Group.objects.filter(
        Exists(unverified),
        organisation_id__in=batch.organisation_ids,
        kind=Group.Kind.CLASS,
        is_archived=False,
        created_at__lt=end,
    )
    out = BatchRows()
    for org, group_id in classes.values_list("organisation_id", "pk").order_by():
        out[org].add_class(group_id, "curator.unverified")
        out[org].add("classes.curator_unverified")
    return out


register(
    Indicator(
        key="coverage",
        version=1,
        kind=Kind.SNAPSHOT,
        grains=(Grain.ORGANISATION, Grain.CLASS),
        compute=compute,
        description="Охват на конец дня: зарегистрированы и подтверждены, наполняемость классов, чаты, кураторы.",
    )
)
register(
    Indicator(
        key="curators",
        version=1,
        kind=Kind.SNAPSHOT,
        grains=(Grain.ORGANISATION, Grain.CLASS),
        compute=compute_curators,
        description="Классы, куратор которых на конец дня не подтверждён как педагог организации.",
    )
)
