"""Registration applications: public submission, operator decisions."""

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from portal.api.schema import ERRORS
from portal.exceptions import PermissionDenied
from portal.ratelimit.limiter import ScopedRateThrottle

from ..models import RegistrationApplication
from ..services import registration
from . import serializers as s

# --- Registrations -----------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Заявки на регистрацию (оператор)", responses={200: s.RegistrationSerializer, **ERRORS}),
    retrieve=extend_schema(summary="Заявка (оператор)", responses={200: s.RegistrationSerializer, **ERRORS}),
)
class RegistrationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.RegistrationSerializer
    filterset_fields = ["status", "kind", "region", "municipality"]
    search_fields = ["short_name", "full_name", "admin_last_name"]

    @property
    def upload_max_bytes(self) -> int:
        """The order file at its largest and the form's text fields (portal.api.parsers)."""
        return settings.REGISTRATION_ORDER_MAX_BYTES + settings.API_BODY_MAX_BYTES

    def get_queryset(self) -> QuerySet:
        if getattr(self, "swagger_fake_view", False):
            return RegistrationApplication.objects.none()
        # Before any look-up, for every action: an application's id answers the same whether it exists or not.
        if not (self.request.user.is_authenticated and self.request.user.is_superuser):
            raise PermissionDenied(_("Заявки видит только оператор платформы."))
        return RegistrationApplication.objects.all().order_by("-submitted_at")

    def get_permissions(self):
        if self.action == "create":
            return [AllowAny()]
        return super().get_permissions()

    def get_throttles(self):
        if self.action == "create":
            self.throttle_scope = "registration"
            return [ScopedRateThrottle()]
        return super().get_throttles()

    @extend_schema(
        request=s.RegistrationSubmitSerializer,
        responses={201: s.RegistrationSerializer, **ERRORS},
        summary="Подать заявку на регистрацию организации (без входа)",
    )
    def create(self, request):
        ser = s.RegistrationSubmitSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        order_file = data.pop("order_file")
        application = registration.application_submit(data=data, order_file=order_file)
        return Response(s.RegistrationSerializer(application).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: s.OrganisationSerializer, **ERRORS},
        summary="Одобрить: создаются организация, «Учительская»/«Сотрудники» и администратор",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        organisation = registration.application_approve(application=self.get_object(), actor=request.user)
        return Response(s.OrganisationSerializer(organisation).data)

    @extend_schema(
        request=s.ReasonSerializer, responses={200: s.RegistrationSerializer, **ERRORS}, summary="Отклонить с причиной"
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        ser = s.ReasonSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        application = registration.application_reject(
            application=self.get_object(), actor=request.user, reason=ser.validated_data["reason"]
        )
        return Response(s.RegistrationSerializer(application).data)
