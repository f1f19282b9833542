"""Invites, join requests and moderation reports of each local day, from the timestamps their rows carry
(created_at, status_changed_at, decided_at, resolved_at) and, for annulled links, from the audit log; and the texts
the content rules refused, from the per-day counts the policies keep."""

from datetime import timedelta

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Cast

from chats.models import Report
from invites.models import Invite, JoinRequest, Redemption
from orgs.models import AuditEntry
from policies.models import ContentRefusalCount

from ..days import Batch
from ..registry import BatchRows, Grain, Indicator, Kind, register

# Upper bounds (hours) of the decision-time histogram: the median and the 90th percentile over any period are
# read from the summed buckets.
DECISION_HOURS = (1, 2, 4, 8, 12, 24, 48, 72, 120, 168, 336, 720)
PENDING_OLD = timedelta(days=3)


def decision_bucket(waited: timedelta) -> str:
    hours = waited.total_seconds() / 3600
    for bound in DECISION_HOURS:
        if hours <= bound:
            return f"decided.le_{bound}h"
    return f"decided.gt_{DECISION_HOURS[-1]}h"


def _in(batch: Batch, field: str) -> Q:
    return Q(**{f"{field}__gte": batch.start, f"{field}__lt": batch.end})


def compute_invites(batch: Batch) -> BatchRows:
    out = BatchRows()
    orgs = batch.organisation_ids
    invites = Invite.objects.filter(organisation_id__in=orgs)
    created = invites.filter(_in(batch, "created_at")).values("organisation_id", "role", "target_group_id")
    for row in created.annotate(n=Count("id")).order_by():
        rows = out[row["organisation_id"]]
        rows.add(f"created.{row['role']}", row["n"])
        if row["target_group_id"]:
            rows.add_class(row["target_group_id"], f"created.{row['role']}", row["n"])
    redeemed = Redemption.objects.filter(_in(batch, "created_at"), invite__organisation_id__in=orgs).values(
        "invite__organisation_id", "invite__role", "invite__target_group_id"
    )
    for row in redeemed.annotate(n=Count("id")).order_by():
        rows = out[row["invite__organisation_id"]]
        rows.add(f"redeemed.{row['invite__role']}", row["n"])
        if row["invite__target_group_id"]:
            rows.add_class(row["invite__target_group_id"], f"redeemed.{row['invite__role']}", row["n"])
    annulled_ids = (
        AuditEntry.objects.filter(_in(batch, "created_at"), organisation_id__in=orgs, action="invite.annulled")
        .annotate(invite_id=Cast("object_id", IntegerField()))
        .values("invite_id")
    )
    changed = invites.filter(_in(batch, "status_changed_at"))
    for row in (
        changed.filter(status__in=[Invite.Status.EXPIRED, Invite.Status.REVOKED])
        .annotate(annulled=Case(When(pk__in=annulled_ids, then=Value(1)), default=Value(0)))
        .values("organisation_id", "role", "status", "annulled")
        .annotate(n=Count("id"))
        .order_by()
    ):
        status = "annulled" if row["annulled"] else row["status"]
        out[row["organisation_id"]].add(f"{status}.{row['role']}", row["n"])
    return out


def compute_join_requests(batch: Batch) -> BatchRows:
    out = BatchRows()
    requests = JoinRequest.objects.filter(organisation_id__in=batch.organisation_ids)
    created = requests.filter(_in(batch, "created_at")).values("organisation_id", "role")
    for row in created.annotate(n=Count("id")).order_by():
        out[row["organisation_id"]].add(f"created.{row['role']}", row["n"])
    decided = requests.filter(
        _in(batch, "decided_at"), status__in=[JoinRequest.Status.APPROVED, JoinRequest.Status.REJECTED]
    )
    for org, role, status, created_at, decided_at in decided.values_list(
        "organisation_id", "role", "status", "created_at", "decided_at"
    ):
        out[org].add(f"{status}.{role}")
        out[org].add(decision_bucket(decided_at - created_at))
    return out


def compute_pending(batch: Batch) -> BatchRows:
    out = BatchRows()
    end = batch.end
    pending = JoinRequest.objects.filter(organisation_id__in=batch.organisation_ids, created_at__lt=end).filter(
        Q(status=JoinRequest.Status.PENDING) | Q(decided_at__gte=end)
    )
    old = Q(created_at__lt=end - PENDING_OLD)
    per_group = pending.values("organisation_id", "role", "group_id")
    for row in per_group.annotate(n=Count("id"), old=Count("id", filter=old)).order_by():
        rows = out[row["organisation_id"]]
        rows.add(f"pending.{row['role']}", row["n"])
        rows.add("pending.over_3_days", row["old"])
        if row["group_id"]:
            rows.add_class(row["group_id"], "pending", row["n"])
    return out


def compute_moderation(batch: Batch) -> BatchRows:
    out = BatchRows()
    reports = Report.objects.filter(organisation_id__in=batch.organisation_ids)
    filed = reports.filter(_in(batch, "created_at")).values("organisation_id", "reason")
    for row in filed.annotate(n=Count("id")).order_by():
        out[row["organisation_id"]].add(f"filed.{row['reason']}", row["n"])
    resolved = reports.filter(_in(batch, "resolved_at")).exclude(status=Report.Status.OPEN)
    for row in resolved.values("organisation_id", "status").annotate(n=Count("id")).order_by():
        out[row["organisation_id"]].add(f"resolved.{row['status']}", row["n"])
    return out


def compute_content_refusals(batch: Batch) -> BatchRows:
    """Texts refused by the content rules on the day, by rule and by where they were written. The policies count
    refusals per organisation and local day as they happen (the texts themselves are never kept)."""
    out = BatchRows()
    counts = ContentRefusalCount.objects.filter(organisation_id__in=batch.organisation_ids, day=batch.day)
    for row in counts.values("organisation_id", "rule", "place").annotate(n=Sum("count")).order_by():
        rows = out[row["organisation_id"]]
        rows.add(f"rule.{row['rule']}", row["n"])
        rows.add(f"place.{row['place']}", row["n"])
    return out


for _key, _kind, _grains, _compute, _text in (
    ("invites", Kind.ADDITIVE, (Grain.ORGANISATION, Grain.CLASS), compute_invites,
     "Ссылки-приглашения: созданы, использованы, истекли, отозваны, аннулированы — по ролям."),
    ("join_requests", Kind.ADDITIVE, (Grain.ORGANISATION,), compute_join_requests,
     "Заявки на вступление: поданы, одобрены, отклонены; время решения (гистограмма)."),
    ("join_requests_pending", Kind.SNAPSHOT, (Grain.ORGANISATION, Grain.CLASS), compute_pending,
     "Заявки на вступление, ждущие решения на конец дня."),
    ("moderation", Kind.ADDITIVE, (Grain.ORGANISATION,), compute_moderation,
     "Жалобы: поданы по причинам, рассмотрены по решениям."),
    ("content_refusals", Kind.ADDITIVE, (Grain.ORGANISATION,), compute_content_refusals,
     "Тексты, не пропущенные правилами содержания: по правилу и по месту (сообщение, название, опрос, файл)."),
):  # fmt: skip
    register(Indicator(key=_key, version=1, kind=_kind, grains=_grains, compute=_compute, description=_text))
