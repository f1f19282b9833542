"""REST API of the content rules: the organisation's list of forbidden services, for its administrators."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.response import Response

from orgs.api.scoped import ORG_PARAM, OrgScopedMixin
from portal.api.schema import ERRORS

from ..models import ForbiddenService
from ..services import rules
from .serializers import ForbiddenServicePatchSerializer, ForbiddenServiceSerializer, ForbiddenServiceWriteSerializer

RULE_PARAM = OpenApiParameter("id", int, OpenApiParameter.PATH, description="id запрещённого сервиса")


@extend_schema_view(
    list=extend_schema(
        summary="Правила содержания: перечень запрещённых сервисов (администратор)",
        parameters=[ORG_PARAM],
        responses={200: ForbiddenServiceSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        summary="Запрещённый сервис",
        parameters=[ORG_PARAM, RULE_PARAM],
        responses={200: ForbiddenServiceSerializer, **ERRORS},
    ),
    create=extend_schema(
        summary="Добавить запрещённый сервис",
        parameters=[ORG_PARAM],
        request=ForbiddenServiceWriteSerializer,
        responses={201: ForbiddenServiceSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="Изменить запрещённый сервис (название, домены, формы, действует ли)",
        parameters=[ORG_PARAM, RULE_PARAM],
        request=ForbiddenServicePatchSerializer,
        responses={200: ForbiddenServiceSerializer, **ERRORS},
    ),
    destroy=extend_schema(
        summary="Удалить сервис из перечня", parameters=[ORG_PARAM, RULE_PARAM], responses={204: None, **ERRORS}
    ),
)
class ContentRuleViewSet(OrgScopedMixin, viewsets.GenericViewSet):
    """The organisation's forbidden services; administrators only, another organisation's are not found."""

    serializer_class = ForbiddenServiceSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ForbiddenService.objects.none()
        return rules.forbidden_services(organisation=self.organisation, actor=self.request.user)

    def _get(self, pk):
        return rules.forbidden_service_get(organisation=self.organisation, actor=self.request.user, pk=pk)

    def list(self, request, org_pk=None):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(ForbiddenServiceSerializer(page, many=True).data)

    def retrieve(self, request, org_pk=None, pk=None):
        return Response(ForbiddenServiceSerializer(self._get(pk)).data)

    def create(self, request, org_pk=None):
        rules.require(request.user, rules.MANAGE, self.organisation, rules.DENIED)
        ser = ForbiddenServiceWriteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        service = rules.forbidden_service_create(
            organisation=self.organisation, actor=request.user, **ser.validated_data
        )
        return Response(ForbiddenServiceSerializer(service).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, org_pk=None, pk=None):
        service = self._get(pk)
        ser = ForbiddenServicePatchSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        service = rules.forbidden_service_update(service=service, actor=request.user, **ser.validated_data)
        return Response(ForbiddenServiceSerializer(service).data)

    def destroy(self, request, org_pk=None, pk=None):
        rules.forbidden_service_delete(service=self._get(pk), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
