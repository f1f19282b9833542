"""The municipality roll-up in the API: the areas of the methodologist, the table of an area's organisations against
the targets, and the targets of an area or an organisation.

Figures that count fewer than 5 people are null (as are shares made from them): see stats/rollup.py. Each read of
an area's table is written to the log of every organisation in it."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from orgs.api.scoped import ORG_PARAM, OrgScopedMixin
from portal.api.schema import ERRORS

from .. import rollup as r
from ..areas import area_get, area_organisations, areas_for_user
from ..periods import parse_period
from ..permissions import require_view_statistics
from ..services.areas import area_audit, period_text, targets_set
from ..targets import KEYS, area_targets, organisation_targets
from .serializers import AreaSerializer, TargetsPatchSerializer

AREA_PARAM = OpenApiParameter("id", int, OpenApiParameter.PATH, description="id муниципалитета")
PEOPLE = {"allow_null": True, "help_text": f"null — меньше {r.MIN_PEOPLE} человек (скрыто)"}


RoleFigures = inline_serializer(
    "AreaRoleFigures",
    {
        "active_7d": serializers.IntegerField(**PEOPLE),
        "registered": serializers.IntegerField(**PEOPLE),
        "share": serializers.IntegerField(**PEOPLE),
        "target": serializers.IntegerField(),
        "met": serializers.BooleanField(allow_null=True, help_text="null — доля скрыта"),
    },
)
ROW_FIELDS = {
    "organisation": inline_serializer(
        "AreaOrganisation",
        {"id": serializers.IntegerField(), "short_name": serializers.CharField(), "full_name": serializers.CharField()},
        allow_null=True,
    ),
    "name": serializers.CharField(),
    **{key: RoleFigures for key in KEYS},
    "classes": serializers.IntegerField(),
    "students_joined": serializers.IntegerField(**PEOPLE),
    "students_with_parent_share": serializers.IntegerField(**PEOPLE),
    "chats_active_7d": serializers.IntegerField(),
    "messages": serializers.IntegerField(help_text="содержательные за период"),
    "messages_trivial": serializers.IntegerField(help_text="малосодержательные за период"),
    "status": serializers.ChoiceField(choices=("met", "missed", "unknown")),
    "status_text": serializers.CharField(),
    "stale": serializers.BooleanField(),
}
AreaStatsSerializer = inline_serializer(
    "AreaStats",
    {
        "area": AreaSerializer(),
        "from": serializers.DateField(),
        "to": serializers.DateField(),
        "min_people": serializers.IntegerField(help_text="числа меньше этого скрыты (null)"),
        "results": inline_serializer("AreaStatsRow", ROW_FIELDS, many=True),
        "total": inline_serializer("AreaStatsTotal", ROW_FIELDS),
    },
)
TargetsSerializer = inline_serializer(
    "StatsTargets",
    {
        "results": inline_serializer(
            "StatsTarget",
            {
                "key": serializers.ChoiceField(choices=KEYS),
                "label": serializers.CharField(),
                "value": serializers.IntegerField(help_text="действующее значение, %"),
                "own": serializers.IntegerField(
                    allow_null=True, help_text="заданное на этом уровне; null — наследуется"
                ),
                "source": serializers.ChoiceField(choices=("organisation", "area", "default")),
                "source_label": serializers.CharField(),
            },
            many=True,
        )
    },
)


def row_data(row: r.Row, organisation=None) -> dict:
    return {
        "organisation": (
            {"id": organisation.pk, "short_name": organisation.short_name, "full_name": organisation.full_name}
            if organisation is not None
            else None
        ),
        "name": row.name,
        **{
            key: {
                "active_7d": row.active[key],
                "registered": row.registered[key],
                "share": row.shares[key],
                "target": row.targets[key],
                "met": row.met[key],
            }
            for key in KEYS
        },
        "classes": row.classes,
        "students_joined": row.students_joined,
        "students_with_parent_share": row.with_parent_share,
        "chats_active_7d": row.chats_active,
        "messages": row.messages,
        "messages_trivial": row.messages_trivial,
        "status": row.status,
        "status_text": row.status_text,
        "stale": row.stale,
    }


def targets_data(targets: dict) -> dict:
    return {
        "results": [
            {
                "key": t.key,
                "label": t.label,
                "value": t.value,
                "own": t.own,
                "source": t.source,
                "source_label": t.source_label,
            }
            for t in targets.values()
        ]
    }


class AreaListView(generics.ListAPIView):
    """The municipalities whose statistics the user reads (a methodologist's own; every one for the operator)."""

    serializer_class = AreaSerializer

    @extend_schema(summary="Мои муниципалитеты (методист муниципалитета)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return areas_for_user(self.request.user).order_by("region", "municipality", "pk")


class AreaScopedMixin:
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.area = area_get(request.user, kwargs.get("id"))


class AreaStatsView(AreaScopedMixin, APIView):
    """Every organisation of the area against the targets, and the area's total (people active counted once)."""

    @extend_schema(
        summary="Статистика организаций муниципалитета (методист муниципалитета)",
        parameters=[
            AREA_PARAM,
            OpenApiParameter("from", OpenApiTypes.DATE, description="первый день для сообщений; по умолчанию 30 дней"),
            OpenApiParameter(
                "to", OpenApiTypes.DATE, description="день показателей; по умолчанию последний посчитанный"
            ),
        ],
        responses={200: AreaStatsSerializer, **ERRORS},
    )
    def get(self, request, id=None):
        organisations = area_organisations(self.area)
        filled, day = r.report_day(organisations)
        first, last = parse_period(request.query_params.get("from"), request.query_params.get("to"), day)
        table = r.rollup(self.area, organisations, first=first, last=last, filled=filled)
        area_audit(
            area=self.area,
            actor=request.user,
            action="stats.area_viewed",
            organisations=organisations,
            details={"period": period_text(first, last), "format": "API"},
        )
        by_id = {o.pk: o for o in organisations}
        return Response(
            {
                "area": AreaSerializer(self.area).data,
                "from": first,
                "to": last,
                "min_people": r.MIN_PEOPLE,
                "results": [row_data(row, by_id[row.organisation_id]) for row in table.rows],
                "total": row_data(table.total),
            }
        )


class AreaTargetsView(AreaScopedMixin, APIView):
    """The targets the area sets for its organisations (an organisation's own ones win)."""

    @extend_schema(
        summary="Целевые значения муниципалитета", parameters=[AREA_PARAM], responses={200: TargetsSerializer, **ERRORS}
    )
    def get(self, request, id=None):
        return Response(targets_data(area_targets(self.area)))

    @extend_schema(
        summary="Изменить целевые значения муниципалитета (методист)",
        parameters=[AREA_PARAM],
        request=TargetsPatchSerializer,
        responses={200: TargetsSerializer, **ERRORS},
    )
    def patch(self, request, id=None):
        ser = TargetsPatchSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        targets_set(actor=request.user, area=self.area, values=ser.validated_data)
        return Response(targets_data(area_targets(self.area)))


class OrgTargetsView(OrgScopedMixin, APIView):
    """The targets in force for the organisation: its own, else its municipality's, else the regional default."""

    @extend_schema(
        summary="Целевые значения организации (администратор, руководитель)",
        parameters=[ORG_PARAM],
        responses={200: TargetsSerializer, **ERRORS},
    )
    def get(self, request, org_pk=None):
        require_view_statistics(request.user, self.organisation)
        return Response(targets_data(organisation_targets(self.organisation)))

    @extend_schema(
        summary="Изменить целевые значения организации (администратор)",
        parameters=[ORG_PARAM],
        request=TargetsPatchSerializer,
        responses={200: TargetsSerializer, **ERRORS},
    )
    def patch(self, request, org_pk=None):
        ser = TargetsPatchSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        targets_set(actor=request.user, organisation=self.organisation, values=ser.validated_data)
        return Response(targets_data(organisation_targets(self.organisation)))
