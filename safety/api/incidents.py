"""Account safety in an organisation over the API: the incident queue and ending a member's sessions."""

from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from orgs.api.scoped import ORG_PARAM, OrgScopedMixin
from portal.api.schema import ERRORS
from portal.ratelimit.limiter import ScopedRateThrottle

from .. import selectors, services
from ..models import Incident
from .serializers import IncidentSerializer


@extend_schema_view(
    list=extend_schema(
        summary="Инциденты безопасности организации",
        description="Сообщения участников о несанкционированном доступе, новые сверху. Только администраторам.",
        parameters=[ORG_PARAM],
    ),
)
class IncidentViewSet(OrgScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = IncidentSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Incident.objects.none()
        return selectors.incidents_for_admin(self.request.user, self.organisation)

    @extend_schema(
        request=None,
        responses={200: IncidentSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Отметить инцидент рассмотренным",
    )
    @action(detail=True, methods=["post"])
    def review(self, request, org_pk=None, pk=None):
        incident = selectors.incident_get(request.user, self.organisation, pk)
        incident = services.incident_review(actor=request.user, incident=incident)
        return Response(IncidentSerializer(incident).data)


MemberSessionsEnded = inline_serializer(
    "MemberSessionsEnded",
    {
        "sessions": serializers.IntegerField(help_text="Завершено сеансов"),
        "tokens": serializers.IntegerField(help_text="Отозвано API-токенов"),
        "codes": serializers.IntegerField(help_text="Аннулировано одноразовых кодов"),
    },
)


class MemberSessionsEndView(OrgScopedMixin, APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "account"

    @extend_schema(
        request=None,
        responses={200: MemberSessionsEnded, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Завершить все сеансы и API-токены участника",
        description="Только администраторам организации; id — участник (пользователь) этой организации, участник "
        "другой организации — 404. Пароль участника продолжает действовать.",
    )
    def post(self, request, org_pk=None, id=None):
        person = selectors.org_member_get(self.organisation, id)
        return Response(services.member_sessions_end(actor=request.user, organisation=self.organisation, person=person))
