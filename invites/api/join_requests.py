"""Join requests of an organisation: apply (anyone signed in), the queue, approve, reject."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from orgs.api.scoped import ORG_PARAM, OrgScopedMixin
from orgs.api.serializers import ReasonSerializer
from orgs.models import Group, Organisation
from portal.api.schema import ERRORS
from portal.exceptions import NotFound, RuleViolation

from .. import selectors
from ..models import JoinRequest
from ..services import join_requests as join_services
from . import filters
from . import serializers as s


def _int_or_none(value):
    return int(value) if value is not None else None


@extend_schema_view(
    list=extend_schema(
        summary="Заявки на вступление (администратор — все, куратор — своего класса)",
        parameters=[ORG_PARAM],
        responses={200: s.JoinRequestSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        summary="Заявка на вступление", parameters=[ORG_PARAM], responses={200: s.JoinRequestSerializer, **ERRORS}
    ),
)
class JoinRequestViewSet(OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.JoinRequestSerializer
    filterset_class = filters.JoinRequestFilter
    ordering_fields = ["created_at"]

    def initial(self, request, *args, **kwargs):
        if self.action != "create":
            return super().initial(request, *args, **kwargs)
        # Whoever applies is not a member yet: the organisation is found among all active ones.
        generics.GenericAPIView.initial(self, request, *args, **kwargs)
        self.organisation = Organisation.objects.filter(is_active=True, pk=_int_or_none(kwargs.get("org_pk"))).first()
        if self.organisation is None:
            raise NotFound(_("Организация не найдена."))

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return JoinRequest.objects.none()
        return selectors.join_requests_for_user(self.request.user, self.organisation).order_by("-created_at", "-id")

    def get_object(self):
        return selectors.join_request_get(self.request.user, self.organisation, self.kwargs["pk"])

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["organisation"] = self.organisation
        return context

    def _respond(self, join_request, code=status.HTTP_200_OK):
        return Response(s.JoinRequestSerializer(join_request, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        request=s.JoinRequestCreateSerializer,
        responses={201: s.JoinRequestReceiptSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Подать заявку на вступление в организацию (от своего имени); в ответе — только то, что отправлено",
    )
    def create(self, request, org_pk=None):
        ser = s.JoinRequestCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        group = None
        if data.get("group"):
            # Open classes are public: the browser form lists them for whoever applies.
            group = Group.objects.filter(
                organisation=self.organisation, pk=data["group"], kind=Group.Kind.CLASS, is_archived=False
            ).first()
            if group is None:
                raise RuleViolation(
                    _("Выберите класс этой организации."),
                    code="class_invalid",
                    fields={"group": [_("Класс не найден.")]},
                )
        join_request = join_services.join_request_create(
            organisation=self.organisation,
            user=request.user,
            role=data["role"],
            group=group,
            child_id=data.get("child"),
            message=data["message"],
        )
        # The applicant is not a member: they get back what they sent, never the organisation's rows.
        receipt = s.join_request_receipt(join_request, child_id=data.get("child"))
        return Response(s.JoinRequestReceiptSerializer(receipt).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.ApproveSerializer,
        responses={200: s.JoinRequestSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Одобрить: человек вступает, ему приходит письмо (родителю без ребёнка — с выбранным ребёнком)",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, org_pk=None, pk=None):
        ser = s.ApproveSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._respond(
            join_services.join_request_approve(
                request=self.get_object(), actor=request.user, child_id=ser.validated_data.get("child")
            )
        )

    @extend_schema(
        request=ReasonSerializer,
        responses={200: s.JoinRequestSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Отклонить с причиной",
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, org_pk=None, pk=None):
        ser = ReasonSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._respond(
            join_services.join_request_reject(
                request=self.get_object(), actor=request.user, reason=ser.validated_data["reason"]
            )
        )


class OwnJoinRequestsView(APIView):
    @extend_schema(
        summary="Мои заявки на вступление, ждущие решения: куда, с какого времени, кто решает",
        responses={200: s.OwnJoinRequestSerializer(many=True), **ERRORS},
    )
    def get(self, request):
        return Response(s.OwnJoinRequestSerializer(selectors.join_requests_of_applicant(request.user), many=True).data)


class OwnJoinRequestWithdrawView(APIView):
    @extend_schema(
        request=None,
        summary="Отозвать свою заявку, пока её не рассмотрели; использование ссылки возвращается",
        responses={200: s.JoinRequestReceiptSerializer, **ERRORS},
    )
    def post(self, request, id):
        join_request = next((r for r in selectors.join_requests_of_applicant(request.user) if r.pk == id), None)
        if join_request is None:
            raise NotFound(_("Заявка не найдена."))
        join_request = join_services.join_request_withdraw(request=join_request, actor=request.user)
        receipt = {
            **s.join_request_receipt(join_request, child_id=join_request.child_id),
            "detail": _("Заявка отозвана."),
        }
        return Response(s.JoinRequestReceiptSerializer(receipt).data)
