"""The statistics API: indicators per day for a period, and the per-class table. Same rights as the dashboard:
administrators and leaders the organisation, curators their own classes."""

from datetime import date, timedelta

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from orgs.api.base import ORG_PARAM, OrgScopedMixin, parse_int
from orgs.models import Group
from portal.api.schema import ERRORS
from portal.exceptions import NotFound, PermissionDenied, RuleViolation

from . import dashboard as d

MAX_DAYS = 366
# Dates far outside these years are typing errors (and 0001-01-01 minus a month is no date at all).
FIRST_YEAR, LAST_YEAR = 2000, 2100
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
PeriodSerializer = inline_serializer(
    "StatsPeriod",
    {
        "from": serializers.DateField(),
        "to": serializers.DateField(),
        "classes": serializers.ListField(child=serializers.IntegerField(), allow_null=True),
        "last_filled_day": serializers.DateField(allow_null=True),
        "stale": serializers.BooleanField(),
        "results": inline_serializer("StatsDay", DAY_FIELDS, many=True),
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
    "weak_spots": serializers.ListField(child=serializers.CharField()),
}
ClassesSerializer = inline_serializer(
    "StatsClasses",
    {
        "day": serializers.DateField(),
        "stale": serializers.BooleanField(),
        "results": inline_serializer("StatsClass", CLASS_FIELDS, many=True),
    },
)


def parse_day(value: str | None, field: str) -> date | None:
    if value in (None, ""):
        return None
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        message = "Дата в формате ГГГГ-ММ-ДД, например 2026-09-01."
        raise RuleViolation(message, code="invalid", fields={field: [message]}) from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        message = f"Дата должна быть между {FIRST_YEAR} и {LAST_YEAR} годом."
        raise RuleViolation(message, code="invalid", fields={field: [message]})
    return day


def parse_period(params, default_last) -> tuple[date, date]:
    """?from= and ?to= (at most MAX_DAYS days); «to» defaults to default_last(), «from» to 30 days before it."""
    last = parse_day(params.get("to"), "to") or default_last()
    first = parse_day(params.get("from"), "from") or last - timedelta(days=29)
    if first > last:
        message = "Начало периода позже его конца."
        raise RuleViolation(message, code="invalid", fields={"from": [message]})
    if (last - first).days + 1 > MAX_DAYS:
        message = f"Период не может быть длиннее {MAX_DAYS} дней."
        raise RuleViolation(message, code="invalid", fields={"from": [message]})
    return first, last


class StatsScopeMixin(OrgScopedMixin):
    """The classes the request may read: all (None) for administrators and leaders, one named by ?class=."""

    def scope(self, class_param: str | None = None) -> list[int] | None:
        group_ids = d.stats_scope(self.request.user, self.organisation)
        if class_param in (None, ""):
            return group_ids
        pk = parse_int(class_param, "class")
        classes = Group.objects.filter(organisation=self.organisation, kind=Group.Kind.CLASS)
        if not 0 < pk < 2**63 or not classes.filter(pk=pk).exists():
            raise NotFound("Такого класса в организации нет.")
        if group_ids is not None and pk not in group_ids:
            raise PermissionDenied("Статистика этого класса вам недоступна.")
        return [pk]


class StatsView(StatsScopeMixin, APIView):
    """The indicators of each day of a period (at most 366 days), for the organisation or one class."""

    @extend_schema(
        summary="Показатели по дням за период (администратор, руководитель; классный руководитель — свои классы)",
        parameters=[
            ORG_PARAM,
            OpenApiParameter("from", OpenApiTypes.DATE, description="первый день; по умолчанию 30 дней до «to»"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="последний день; по умолчанию последний посчитанный"),
            OpenApiParameter("class", int, description="id класса: показатели этого класса"),
        ],
        responses={200: PeriodSerializer, **ERRORS},
    )
    def get(self, request, org_pk=None):
        group_ids = self.scope(request.query_params.get("class"))
        fresh = d.freshness(self.organisation)
        first, last = parse_period(request.query_params, lambda: d.report_day(self.organisation, fresh))
        return Response(
            {
                "from": first,
                "to": last,
                "classes": group_ids,
                "last_filled_day": fresh.last_day,
                "stale": fresh.stale,
                "results": d.daily(self.organisation, group_ids, first, last),
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
                "weak_spots": sorted(c.weak),
            }
            for c in d.class_rows(self.organisation, group_ids, day)
        ]
        return Response({"day": day, "stale": fresh.stale, "results": rows})
