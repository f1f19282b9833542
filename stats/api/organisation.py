"""The statistics API: indicators per day for a period, and the per-class table. Same rights as the dashboard:
administrators and leaders the organisation, curators their own classes."""

from datetime import date

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from orgs.api.scoped import ORG_PARAM, OrgScopedMixin
from orgs.models import Group
from portal.api.fields import parse_int
from portal.api.files import FileNegotiation
from portal.api.schema import ERRORS
from portal.downloads import file_response
from portal.exceptions import NotFound, PermissionDenied, RuleViolation
from portal.spreadsheets import XLSX_TYPE

from .. import dashboard as d
from ..exports import FORMATS, TABLES, export_file, stats_export
from ..periods import parse_period

COUNT = {"allow_null": True, "required": False}

DAY_FIELDS = {
    "day": serializers.DateField(),
    "messages": serializers.IntegerField(help_text="содержательные сообщения"),
    "messages_trivial": serializers.IntegerField(help_text="малосодержательные: эмодзи, одно слово, повтор"),
    "joined_by_link": serializers.IntegerField(help_text="вступили по ссылкам-приглашениям"),
    "joined_by_request": serializers.IntegerField(help_text="одобренные заявки (только по организации)", **COUNT),
    **{
        f"{role}s_{what}": serializers.IntegerField(**COUNT)
        for role in d.ROLES
        for what in ("registered", "active_1d", "active_7d")
    },
    "students_joined": serializers.IntegerField(help_text="только по классам", **COUNT),
    "students_with_parent": serializers.IntegerField(help_text="только по классам", **COUNT),
}
NULL_COUNT = {"allow_null": True}
FUNNEL_FIELDS = {step: serializers.IntegerField(**NULL_COUNT) for step in d.FUNNEL_STEPS}
SHARE_FIELDS = {"count": serializers.IntegerField(), "share": serializers.IntegerField(allow_null=True)}
WINDOW_FIELDS = {w: inline_serializer(f"StatsActive{w.capitalize()}", SHARE_FIELDS) for w, _ in d.WINDOWS}
SummarySerializer = inline_serializer(
    "StatsSummary",
    {
        "invites": inline_serializer(
            "StatsInvites",
            {
                "by_role": inline_serializer(
                    "StatsInviteRole", {"role": serializers.CharField(), **FUNNEL_FIELDS}, many=True
                ),
                "total": inline_serializer("StatsInviteTotal", FUNNEL_FIELDS),
                "weeks": inline_serializer(
                    "StatsInviteWeek",
                    {
                        "from": serializers.DateField(),
                        "to": serializers.DateField(),
                        "created": serializers.IntegerField(),
                        "joined": serializers.IntegerField(),
                        "conversion": serializers.IntegerField(
                            allow_null=True, help_text="вступления недели на ссылку, созданную в ту неделю, %"
                        ),
                    },
                    many=True,
                ),
            },
            help_text="ссылки за период; по классам — только созданные и использованные",
        ),
        "join_requests": inline_serializer(
            "StatsJoinRequests",
            {
                "created": serializers.IntegerField(**NULL_COUNT),
                "approved": serializers.IntegerField(**NULL_COUNT),
                "rejected": serializers.IntegerField(**NULL_COUNT),
                "pending": serializers.IntegerField(help_text="ждут решения на конец периода"),
                "pending_over_3_days": serializers.IntegerField(**NULL_COUNT),
                "decision_hours_median": serializers.IntegerField(
                    allow_null=True,
                    help_text="верхняя граница интервала гистограммы, ч; null — решений нет или больше последней",
                ),
                "decision_hours_p90": serializers.IntegerField(allow_null=True),
                "decision_hours_bounds": serializers.ListField(child=serializers.IntegerField()),
            },
        ),
        "moderation": inline_serializer(
            "StatsModeration",
            {
                "filed": serializers.IntegerField(**NULL_COUNT),
                "resolved": serializers.IntegerField(**NULL_COUNT),
                "refused_by_content_rules": serializers.IntegerField(**NULL_COUNT),
            },
        ),
        "active_users": inline_serializer(
            "StatsActiveRole",
            {
                "role": serializers.CharField(),
                "registered": serializers.IntegerField(),
                "present": inline_serializer("StatsActivePresent", WINDOW_FIELDS),
                "taking_part": inline_serializer("StatsActiveTakingPart", WINDOW_FIELDS, allow_null=True),
            },
            many=True,
            help_text="на последний день периода",
        ),
        "coverage": inline_serializer(
            "StatsCoverage",
            {
                "staff": inline_serializer(
                    "StatsStaffPosition",
                    {
                        "position": serializers.CharField(),
                        "registered": serializers.IntegerField(),
                        "verified": serializers.IntegerField(),
                    },
                    many=True,
                ),
                "staff_headcount": serializers.IntegerField(allow_null=True),
                "staff_registered_share": serializers.IntegerField(allow_null=True),
                "staff_verified_share": serializers.IntegerField(allow_null=True),
                "students": serializers.IntegerField(),
                "students_in_classes": serializers.IntegerField(),
                "students_with_parent": serializers.IntegerField(),
                "parents": serializers.IntegerField(),
                "parents_per_student": serializers.FloatField(allow_null=True),
                "classes": serializers.IntegerField(),
                "classes_without_curator": serializers.IntegerField(),
                "classes_curator_unverified": serializers.IntegerField(),
                "teachers_unverified_over_3_days": serializers.IntegerField(),
            },
            allow_null=True,
            help_text="на последний день периода; только по организации",
        ),
    },
)
PeriodSerializer = inline_serializer(
    "StatsPeriod",
    {
        "from": serializers.DateField(),
        "to": serializers.DateField(),
        "classes": serializers.ListField(child=serializers.IntegerField(), allow_null=True),
        "last_filled_day": serializers.DateField(allow_null=True),
        "stale": serializers.BooleanField(),
        "results": inline_serializer("StatsDay", DAY_FIELDS, many=True),
        "summary": SummarySerializer,
    },
)
CLASS_FIELDS = {
    "id": serializers.IntegerField(),
    "name": serializers.CharField(),
    "students_joined": serializers.IntegerField(),
    "students_planned": serializers.IntegerField(allow_null=True),
    "students_with_parent": serializers.IntegerField(),
    "class_chat": serializers.BooleanField(),
    "parents_chat": serializers.BooleanField(),
    "students_active_7d": serializers.IntegerField(),
    "last_meaningful_message_day": serializers.DateField(allow_null=True),
    "curator": serializers.BooleanField(),
    "curator_verified": serializers.BooleanField(),
    "weak_spots": serializers.ListField(
        child=serializers.CharField(), help_text="joined, parents_chat, quiet, curator_unverified"
    ),
    "extra_marks": serializers.ListField(child=serializers.CharField(), help_text="parents, class_chat, no_curator"),
}
ClassesSerializer = inline_serializer(
    "StatsClasses",
    {
        "day": serializers.DateField(),
        "stale": serializers.BooleanField(),
        "results": inline_serializer("StatsClass", CLASS_FIELDS, many=True),
    },
)


def _shares(cells: dict) -> dict:
    return {w: {"count": cell.count, "share": cell.share} for w, cell in cells.items()}


def summary(organisation, group_ids, first: date, last: date) -> dict:
    """The period's funnel, join requests and moderation, and active users and coverage on its last day: the
    dashboard's own figures (stats.dashboard), as the page shows them."""
    period = d.period_summary(organisation, group_ids, first, last)
    jr = period.requests
    cover = d.coverage(organisation, last) if group_ids is None else None
    return {
        "invites": {
            "by_role": [{"role": r.role, **r.counts} for r in period.funnel],
            "total": period.funnel_total,
            "weeks": [
                {"from": w.first, "to": w.last, "created": w.created, "joined": w.joined, "conversion": w.conversion}
                for w in period.weeks
            ],
        },
        "join_requests": {
            "created": jr.created,
            "approved": jr.approved,
            "rejected": jr.rejected,
            "pending": jr.pending,
            "pending_over_3_days": jr.pending_old,
            "decision_hours_median": jr.median,
            "decision_hours_p90": jr.p90,
            "decision_hours_bounds": list(d.DECISION_HOURS),
        },
        "moderation": {
            "filed": period.reports_filed,
            "resolved": period.reports_resolved,
            "refused_by_content_rules": period.refused,
        },
        "active_users": [
            {
                "role": r.role,
                "registered": r.registered,
                "present": _shares(r.present),
                "taking_part": _shares(r.taking_part) if r.taking_part is not None else None,
            }
            for r in d.active_users(organisation, group_ids, last)
        ],
        "coverage": cover
        and {
            "staff": [
                {"position": p.position or "none", "registered": p.registered, "verified": p.verified}
                for p in cover.positions
            ],
            "staff_headcount": cover.headcount,
            "staff_registered_share": cover.registered_share,
            "staff_verified_share": cover.verified_share,
            "students": cover.students,
            "students_in_classes": cover.students_placed,
            "students_with_parent": cover.students_with_parent,
            "parents": cover.parents,
            "parents_per_student": cover.parents_per_student,
            "classes": cover.classes,
            "classes_without_curator": cover.classes_without_curator,
            "classes_curator_unverified": cover.classes_curator_unverified,
            "teachers_unverified_over_3_days": cover.teachers_unverified_over_3_days,
        },
    }


class StatsScopeMixin(OrgScopedMixin):
    """The classes the request may read: all (None) for administrators and leaders, one named by ?class=."""

    def scope(self, class_param: str | None = None) -> list[int] | None:
        group_ids = d.stats_scope(self.request.user, self.organisation)
        if class_param in (None, ""):
            return group_ids
        pk = parse_int(class_param, "class")
        classes = Group.objects.filter(organisation=self.organisation, kind=Group.Kind.CLASS)
        if not 0 < pk < 2**63 or not classes.filter(pk=pk).exists():
            raise NotFound(_("Такого класса в организации нет."))
        if group_ids is not None and pk not in group_ids:
            raise PermissionDenied(_("Статистика этого класса вам недоступна."))
        return [pk]


PERIOD_PARAMS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="первый день; по умолчанию 30 дней до «to»"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="последний день; по умолчанию последний посчитанный"),
    OpenApiParameter("class", int, description="id класса: показатели этого класса"),
]


class StatsView(StatsScopeMixin, APIView):
    """The indicators of each day of a period (at most 366 days), for the organisation or one class."""

    @extend_schema(
        summary="Показатели по дням за период (администратор, руководитель; классный руководитель — свои классы)",
        parameters=[ORG_PARAM, *PERIOD_PARAMS],
        responses={200: PeriodSerializer, **ERRORS},
    )
    def get(self, request, org_pk=None):
        group_ids = self.scope(request.query_params.get("class"))
        fresh = d.freshness(self.organisation)
        first, last = parse_period(
            request.query_params.get("from"), request.query_params.get("to"), d.report_day(self.organisation, fresh)
        )
        return Response(
            {
                "from": first,
                "to": last,
                "classes": group_ids,
                "last_filled_day": fresh.last_day,
                "stale": fresh.stale,
                "results": d.daily(self.organisation, group_ids, first, last),
                "summary": summary(self.organisation, group_ids, first, last),
            }
        )


class StatsClassesView(StatsScopeMixin, APIView):
    """Every class the user may see on the last day filled: coverage, chats, activity and weak spots."""

    @extend_schema(
        summary="Показатели классов на последний посчитанный день, слабые места",
        parameters=[ORG_PARAM],
        responses={200: ClassesSerializer, **ERRORS},
    )
    def get(self, request, org_pk=None):
        group_ids = self.scope()
        fresh = d.freshness(self.organisation)
        day = d.report_day(self.organisation, fresh)
        rows = [
            {
                "id": c.group_id,
                "name": c.name,
                "students_joined": c.joined,
                "students_planned": c.planned,
                "students_with_parent": c.with_parent,
                "class_chat": c.class_chat,
                "parents_chat": c.parents_chat,
                "students_active_7d": c.active_7d,
                "last_meaningful_message_day": c.last_meaningful,
                "curator": c.has_curator,
                "curator_verified": c.has_curator and not c.curator_unverified,
                "weak_spots": sorted(c.weak),
                "extra_marks": sorted(c.extra),
            }
            for c in d.class_rows(self.organisation, group_ids, day)
        ]
        return Response({"day": day, "stale": fresh.stale, "results": rows})


class StatsExportView(StatsScopeMixin, APIView):
    """The figures of a period as a file: XLSX (by days, by classes on the last day) or CSV (by days)."""

    content_negotiation_class = FileNegotiation
    renderer_classes = [JSONRenderer]

    @extend_schema(
        summary="Выгрузка показателей за период в XLSX или CSV",
        description="XLSX: лист «По дням» (те же показатели, что в /stats/), лист «По классам» на последний день "
        "периода со слабыми местами и лист «Сведения». CSV (UTF-8 с BOM, «;») — одна таблица: по дням "
        "(table=days) или классов (table=classes). Права те же, что у /stats/.",
        parameters=[
            ORG_PARAM,
            *PERIOD_PARAMS,
            OpenApiParameter("file", str, enum=list(FORMATS), description="формат файла; по умолчанию xlsx"),
            OpenApiParameter("table", str, enum=list(TABLES), description="таблица CSV; по умолчанию days"),
        ],
        responses={
            (200, XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="XLSX"),
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="CSV"),
            **ERRORS,
        },
    )
    def get(self, request, org_pk=None):
        group_ids = self.scope(request.query_params.get("class"))
        file_format = request.query_params.get("file") or "xlsx"
        table = request.query_params.get("table") or "days"
        for field, value, allowed in (("file", file_format, FORMATS), ("table", table, TABLES)):
            if value not in allowed:
                message = _("Допустимые значения: %(values)s.") % {"values": ", ".join(allowed)}
                raise RuleViolation(message, code="invalid", fields={field: [message]})
        fresh = d.freshness(self.organisation)
        first, last = parse_period(
            request.query_params.get("from"), request.query_params.get("to"), d.report_day(self.organisation, fresh)
        )
        export = stats_export(self.organisation, group_ids, first, last, fresh)
        return file_response(*export_file(export, file_format, table))
