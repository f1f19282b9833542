"""Movement in the API: the year-end promotion (preview, confirm, report), a member's movements and history, and
transfers between organisations."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api.fields import IdField, parse_int
from portal.api.schema import ERRORS
from portal.exceptions import NotFound

from .. import selectors
from ..models import Organisation
from ..movement_models import Movement, OrgTransfer, Promotion
from ..services import movement as movement_services
from ..services import promotion as promotion_services
from .scoped import ORG_PARAM, OrgScopedMixin

# --- Serializers ------------------------------------------------------------------


class PromotionChangeSerializer(serializers.Serializer):
    action = serializers.ChoiceField(choices=promotion_services.ACTIONS)
    merge_into = IdField(required=False, allow_null=True, help_text="id класса, с которым объединить (merge)")
    parts = serializers.ListField(
        child=serializers.CharField(max_length=15), required=False, max_length=10, help_text="новые классы (split)"
    )
    students = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=9),
        required=False,
        help_text="id обучающегося → номер части (split)",
    )


class PromotionPlanSerializer(serializers.Serializer):
    changes = serializers.DictField(
        child=PromotionChangeSerializer(), required=False, help_text="id класса → изменение плана"
    )


class PromotionConfirmSerializer(PromotionPlanSerializer):
    from_year = IdField(required=False, help_text="id учебного года, из которого переводят (защита от повтора)")


class PromotionSerializer(serializers.ModelSerializer):
    from_year_name = serializers.CharField(source="from_year.name", read_only=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Promotion
        fields = [
            "id", "from_year", "from_year_name", "to_year", "to_year_name", "status", "total", "done", "progress",
            "plan", "report", "error", "created_at", "finished_at",
        ]  # fmt: skip

    def get_progress(self, obj) -> dict:
        return promotion_services.promotion_progress(obj)


class MovementSerializer(serializers.ModelSerializer):
    actor_name = serializers.CharField(source="actor.full_name", read_only=True, default="")

    class Meta:
        model = Movement
        fields = ["id", "kind", "role", "reason", "from_group", "to_group", "from_name", "to_name", "actor_name"]
        fields += ["created_at"]


class MoveSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[(k.value, k.label) for k in movement_services.MEMBER_KINDS])
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    group = IdField(required=False, help_text="класс (зачисление, перевод)")
    position = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    target = IdField(required=False, help_text="организация (перевод в другую организацию)")


class OrgTransferSerializer(serializers.ModelSerializer):
    source_name = serializers.CharField(source="source.short_name", read_only=True)
    target_name = serializers.CharField(source="target.short_name", read_only=True)
    user_name = serializers.CharField(source="user.full_name", read_only=True)

    class Meta:
        model = OrgTransfer
        fields = [
            "id", "source", "source_name", "target", "target_name", "user", "user_name", "role", "from_group_name",
            "reason", "status", "to_group", "created_at", "decided_at", "decision_note",
        ]  # fmt: skip


class TransferAcceptSerializer(serializers.Serializer):
    group = IdField(required=False, help_text="класс, в который зачислить обучающегося")


class TransferRejectSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


def _changes(ser) -> dict:
    return {str(k): v for k, v in (ser.validated_data.get("changes") or {}).items()}


# --- Views ------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Переводы на следующий учебный год", parameters=[ORG_PARAM]),
    retrieve=extend_schema(summary="Перевод на следующий учебный год: ход и отчёт", parameters=[ORG_PARAM]),
)
class PromotionViewSet(OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = PromotionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Promotion.objects.none()
        self.need("manage_movement")
        return selectors.promotions(self.organisation).order_by("-created_at", "-id")

    def get_object(self):
        return promotion_services.promotion_get(
            organisation=self.organisation, actor=self.request.user, pk=self.kwargs["pk"]
        )

    @extend_schema(
        request=PromotionPlanSerializer,
        responses={200: OpenApiTypes.OBJECT, **ERRORS},
        parameters=[ORG_PARAM],
        summary="План перевода на следующий учебный год (ничего не меняет)",
    )
    @action(detail=False, methods=["post"])
    def preview(self, request, org_pk=None):
        ser = PromotionPlanSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return Response(
            promotion_services.promotion_preview(
                organisation=self.organisation, actor=request.user, changes=_changes(ser)
            )
        )

    @extend_schema(
        request=PromotionConfirmSerializer,
        responses={202: PromotionSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Подтвердить перевод: задание выполняется в фоне; повтор ничего не меняет",
    )
    def create(self, request, org_pk=None):
        ser = PromotionConfirmSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        promotion = promotion_services.promotion_confirm(
            organisation=self.organisation,
            actor=request.user,
            changes=_changes(ser),
            from_year=ser.validated_data.get("from_year"),
        )
        promotion.refresh_from_db()
        return Response(PromotionSerializer(promotion).data, status=status.HTTP_202_ACCEPTED)


class MemberMovementMixin:
    """Movement actions of a member (mixed into the members' view set)."""

    @extend_schema(
        request=MoveSerializer,
        responses={200: MovementSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Движение: зачисление, перевод, отчисление, выпуск, увольнение, должность, перевод в другую школу",
    )
    @action(detail=True, methods=["post"])
    def move(self, request, org_pk=None, pk=None):
        member = self.get_object()  # another organisation's member is not found, whatever the body says
        ser = MoveSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        target = None
        if data.get("target"):
            target = Organisation.objects.filter(pk=data["target"], is_active=True).first()
            if target is None:
                raise NotFound(_("Организация не найдена."))
        movement_services.movement_apply(
            organisation=self.organisation,
            membership=member,
            kind=data["kind"],
            actor=request.user,
            reason=data["reason"],
            group=self.org_group(data["group"]) if data.get("group") else None,
            position=data["position"],
            target=target,
        )
        last = selectors.person_history(self.organisation, member.user_id).first()
        if data["kind"] == Movement.Kind.TRANSFER_OUT:
            transfer = selectors.transfers_outgoing(self.organisation).filter(user_id=member.user_id).first()
            return Response(OrgTransferSerializer(transfer).data, status=status.HTTP_202_ACCEPTED)
        return Response(MovementSerializer(last).data)

    @extend_schema(
        request=None,
        responses={200: MovementSerializer(many=True), **ERRORS},
        parameters=[ORG_PARAM],
        summary="История движения участника в организации",
    )
    @action(detail=True, methods=["get"])
    def history(self, request, org_pk=None, pk=None):
        self.need("view_members")
        member = self.get_object()
        return Response(MovementSerializer(selectors.person_history(self.organisation, member.user_id), many=True).data)


@extend_schema_view(
    list=extend_schema(summary="Переводы между организациями (входящие и исходящие)", parameters=[ORG_PARAM])
)
class TransferViewSet(OrgScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = OrgTransferSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return OrgTransfer.objects.none()
        self.need("manage_movement")
        incoming = selectors.transfers_incoming(self.organisation)
        outgoing = selectors.transfers_outgoing(self.organisation)
        return (incoming | outgoing).order_by("-created_at", "-id")

    def _incoming(self, pk) -> OrgTransfer:
        self.need("manage_movement")
        transfer = selectors.transfers_incoming(self.organisation).filter(pk=parse_int(pk, "id")).first()
        if transfer is None:
            raise NotFound(_("Перевод не найден."))
        return transfer

    @extend_schema(
        request=TransferAcceptSerializer,
        responses={200: OrgTransferSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Принять перевод из другой организации",
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, org_pk=None, pk=None):
        transfer = self._incoming(pk)
        ser = TransferAcceptSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        group = self.org_group(ser.validated_data["group"]) if ser.validated_data.get("group") else None
        transfer = movement_services.org_transfer_accept(transfer=transfer, actor=request.user, group=group)
        return Response(OrgTransferSerializer(transfer).data)

    @extend_schema(
        request=TransferRejectSerializer,
        responses={200: OrgTransferSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Отказать в переводе из другой организации",
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, org_pk=None, pk=None):
        transfer = self._incoming(pk)
        ser = TransferRejectSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        transfer = movement_services.org_transfer_reject(
            transfer=transfer, actor=request.user, note=ser.validated_data["note"]
        )
        return Response(OrgTransferSerializer(transfer).data)
