"""REST API of scheduled events: thin views over chats.services.events."""

import django_filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from orgs.api.base import ORG_PARAM, OrgScopedMixin
from orgs.api.filters import IdFilter
from orgs.api.serializers import IdField, PersonSerializer
from portal.api.schema import ERRORS

from ..models import Event
from ..services import events as event_services
from ..services.messages import chat_get_for

EVENT_PARAM = OpenApiParameter("id", int, OpenApiParameter.PATH, description="id события")


class EventSerializer(serializers.ModelSerializer):
    # Plain strings here: the choice set is documented once, on the request (EventCreateRequestKindEnum).
    kind = serializers.CharField(read_only=True, help_text="broadcast, meeting или parents_meeting")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    chat_title = serializers.CharField(source="chat.title", read_only=True)
    created_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "kind",
            "kind_display",
            "title",
            "starts_at",
            "duration_minutes",
            "chat",
            "chat_title",
            "video_url",
            "description",
            "created_by",
            "reminder_minutes_before",
            "reminded_at",
            "cancelled_at",
        ]


class EventCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Event.Kind.choices)
    title = serializers.CharField(max_length=1000)
    starts_at = serializers.DateTimeField()
    duration_minutes = serializers.IntegerField(min_value=1, max_value=event_services.MAX_DURATION_MINUTES, default=45)
    chat = IdField(help_text="чат, в котором объявляется событие (его участники — аудитория)")
    video_url = serializers.CharField(max_length=1000, required=False, allow_blank=True, help_text="только https://")
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    reminder_minutes_before = serializers.IntegerField(
        min_value=0, max_value=event_services.MAX_REMINDER_MINUTES, default=60
    )


class EventFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Event.Kind.choices, label="вид")
    chat = IdFilter(field_name="chat_id", label="чат")

    class Meta:
        model = Event
        fields = ["kind", "chat"]


@extend_schema_view(
    list=extend_schema(
        summary="Предстоящие события в чатах пользователя, ближайшие сначала",
        parameters=[ORG_PARAM],
        responses={200: EventSerializer(many=True), **ERRORS},
    ),
)
class EventViewSet(OrgScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = EventSerializer
    filterset_class = EventFilter
    lookup_url_kwarg = "id"
    search_fields = []
    ordering_fields = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Event.objects.none()
        return event_services.events_upcoming_for_user(self.request.user, self.organisation)

    @extend_schema(
        request=EventCreateSerializer,
        responses={201: EventSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Назначить событие в чате (тот, кто может писать в чат); напоминание придёт в чат и на почту",
    )
    def create(self, request, org_pk=None):
        ser = EventCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        chat = chat_get_for(request.user, data.pop("chat"), organisation=self.organisation)
        event = event_services.event_create(organisation=self.organisation, chat=chat, actor=request.user, **data)
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: EventSerializer, **ERRORS},
        parameters=[ORG_PARAM, EVENT_PARAM],
        summary="Отменить событие (автор, владелец чата, администратор)",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, org_pk=None, id=None):
        event = event_services.event_get_for(request.user, self.organisation, id)
        event = event_services.event_cancel(event=event, actor=request.user)
        return Response(EventSerializer(event).data)
