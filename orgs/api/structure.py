"""Organisations, academic years and the structure (groups)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api.schema import ERRORS
from portal.exceptions import RuleViolation

from .. import selectors
from ..models import AcademicYear, Group
from ..services import structure
from . import filters
from . import serializers as s
from .scoped import ORG_PARAM, OrgScopedMixin

# --- Organisations ----------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Организации текущего пользователя", responses={200: s.OrganisationSerializer, **ERRORS}
    ),
    retrieve=extend_schema(summary="Профиль организации", responses={200: s.OrganisationSerializer, **ERRORS}),
    partial_update=extend_schema(
        summary="Изменить профиль (администратор)", responses={200: s.OrganisationSerializer, **ERRORS}
    ),
)
class OrganisationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.OrganisationSerializer
    filterset_fields = ["kind", "region", "municipality"]
    search_fields = ["short_name", "full_name"]

    def get_queryset(self):
        return selectors.organisations_for_user(self.request.user).order_by("short_name", "id")

    def get_object(self):
        return selectors.organisation_get(self.request.user, self.kwargs["pk"])

    def partial_update(self, request, pk=None):
        organisation = self.get_object()
        ser = s.OrganisationSerializer(organisation, data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        organisation = structure.organisation_update(
            organisation=organisation, actor=request.user, data=ser.validated_data
        )
        return Response(s.OrganisationSerializer(organisation).data)


# --- Structure --------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Учебные годы", parameters=[ORG_PARAM]),
    create=extend_schema(
        summary="Добавить учебный год", parameters=[ORG_PARAM], responses={201: s.AcademicYearSerializer, **ERRORS}
    ),
)
class AcademicYearViewSet(OrgScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.AcademicYearSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AcademicYear.objects.none()
        return self.organisation.academic_years.all()

    def create(self, request, org_pk=None):
        ser = s.AcademicYearSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        year = structure.academic_year_create(organisation=self.organisation, actor=request.user, **ser.validated_data)
        return Response(s.AcademicYearSerializer(year).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="Структура: подразделения, классы/группы, объединения", parameters=[ORG_PARAM]),
    retrieve=extend_schema(summary="Группа", parameters=[ORG_PARAM]),
)
class GroupViewSet(OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.GroupSerializer
    filterset_class = filters.GroupFilter
    search_fields = ["name"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Group.objects.none()
        return selectors.groups_for_user(self.request.user, self.organisation, include_archived=True)

    @extend_schema(
        request=s.GroupWriteSerializer,
        responses={201: s.GroupSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Создать подразделение, класс/группу или объединение",
    )
    def create(self, request, org_pk=None):
        ser = s.GroupWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        year = data.pop("academic_year", None)
        parent = data.pop("parent", None)
        if year is not None:
            year = self.organisation.academic_years.filter(pk=year).first()
            if year is None:
                raise RuleViolation(
                    _("Учебный год не найден."), code="year_not_found", fields={"academic_year": [_("Не найден.")]}
                )
        group = structure.group_create(
            organisation=self.organisation,
            actor=request.user,
            academic_year=year,
            parent=self.org_group(parent) if parent else None,
            **data,
        )
        return Response(s.GroupSerializer(self.get_queryset().get(pk=group.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.GroupUpdateSerializer,
        responses={200: s.GroupSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Переименовать или перенести группу",
    )
    def partial_update(self, request, org_pk=None, pk=None):
        ser = s.GroupUpdateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        if "parent" in data:
            parent = data.pop("parent")
            data["parent"] = self.org_group(parent) if parent else None
        group = structure.group_update(group=self.org_group(pk), actor=request.user, **data)
        return Response(s.GroupSerializer(self.get_queryset().get(pk=group.pk)).data)

    @extend_schema(
        request=None,
        responses={200: s.GroupSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="В архив (история сохраняется)",
    )
    @action(detail=True, methods=["post"])
    def archive(self, request, org_pk=None, pk=None):
        group = structure.group_archive(group=self.org_group(pk), actor=request.user)
        return Response(s.GroupSerializer(self.get_queryset().get(pk=group.pk)).data)

    @extend_schema(
        request=None, responses={200: s.GroupSerializer, **ERRORS}, parameters=[ORG_PARAM], summary="Вернуть из архива"
    )
    @action(detail=True, methods=["post"])
    def restore(self, request, org_pk=None, pk=None):
        group = structure.group_restore(group=self.org_group(pk), actor=request.user)
        return Response(s.GroupSerializer(self.get_queryset().get(pk=group.pk)).data)
