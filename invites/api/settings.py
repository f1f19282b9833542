"""/api/v1/orgs/{org}/settings/: the organisation's settings (rules for links, staff headcount, channels)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from chats.models import Chat
from chats.selectors import channels_of
from chats.services.channels import channel_create, channel_rename
from orgs.api.scoped import ORG_PARAM, OrgScopedMixin
from portal.api.schema import ERRORS
from portal.exceptions import NotFound

from ..services.policy import FIELDS, LIMITS, organisation_settings_update, policy_for

CHANNEL_PARAM = OpenApiParameter("id", int, OpenApiParameter.PATH, description="id канала")


class ChannelSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True, help_text="general_channel, staff_channel или extra_channel")
    kind_display = serializers.CharField(read_only=True, source="get_kind_display")
    title = serializers.CharField(max_length=200)


def _limit_field(field: str) -> serializers.IntegerField:
    low, high, name = LIMITS[field]
    return serializers.IntegerField(required=False, help_text=f"{name}: от {low} до {high}")


class SettingsSerializer(serializers.Serializer):
    staff_headcount = serializers.IntegerField(
        required=False, allow_null=True, help_text="численность сотрудников по штату (для статистики); null — не задана"
    )
    channels = ChannelSerializer(many=True, read_only=True)

    def get_fields(self):
        fields = super().get_fields()
        for field in FIELDS:
            fields[field] = _limit_field(field)
        return fields


def _settings_body(org) -> dict:
    policy = policy_for(org)
    body = {field: getattr(policy, field) for field in FIELDS}
    body["staff_headcount"] = org.staff_headcount
    body["channels"] = channels_of(org)
    return SettingsSerializer(body).data


class OrganisationSettingsViewSet(OrgScopedMixin, viewsets.GenericViewSet):
    """Administrators read and change the settings; everyone else of the organisation is refused (403)."""

    serializer_class = SettingsSerializer
    filter_backends = []
    pagination_class = None

    def get_queryset(self):
        return Chat.objects.none()  # read through the selectors

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.need("manage_org")

    @extend_schema(
        summary="Настройки организации", parameters=[ORG_PARAM], responses={200: SettingsSerializer, **ERRORS}
    )
    def retrieve(self, request, org_pk=None):
        return Response(_settings_body(self.organisation))

    @extend_schema(
        summary="Изменить настройки (проверяются все значения; изменение записывается в журнал «было → стало»)",
        parameters=[ORG_PARAM],
        request=SettingsSerializer,
        responses={200: SettingsSerializer, **ERRORS},
    )
    def partial_update(self, request, org_pk=None):
        ser = SettingsSerializer(data=request.data, partial=True)
        ser.is_valid(raise_exception=True)
        organisation_settings_update(organisation=self.organisation, actor=request.user, changes=ser.validated_data)
        self.organisation.refresh_from_db(fields=["staff_headcount"])
        return Response(_settings_body(self.organisation))

    @extend_schema(
        summary="Создать дополнительный канал организации",
        parameters=[ORG_PARAM],
        request=ChannelSerializer,
        responses={201: ChannelSerializer, **ERRORS},
    )
    def create_channel(self, request, org_pk=None):
        ser = ChannelSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        chat = channel_create(organisation=self.organisation, actor=request.user, title=ser.validated_data["title"])
        return Response(ChannelSerializer(chat).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Переименовать канал (системный — тоже)",
        parameters=[ORG_PARAM, CHANNEL_PARAM],
        request=ChannelSerializer,
        responses={200: ChannelSerializer, **ERRORS},
    )
    def rename_channel(self, request, org_pk=None, pk=None):
        chat = next((c for c in channels_of(self.organisation) if str(c.pk) == str(pk)), None)
        if chat is None:
            raise NotFound(_("Канал не найден."))
        ser = ChannelSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        chat = channel_rename(chat=chat, actor=request.user, title=ser.validated_data["title"])
        return Response(ChannelSerializer(chat).data)
