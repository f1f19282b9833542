"""REST API of scheduled events: thin views over chats.services.events."""

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from orgs.api.scoped import ORG_PARAM, OrgScopedMixin
from orgs.api.serializers import PersonSerializer
from portal.api.fields import IdField
from portal.api.filters import IdFilter
from portal.api.schema import ERRORS

from ..models import Event
from ..services import events as event_services
from ..services.audiences import audience_label
from ..services.messages import chat_get_for

EVENT_PARAM = OpenApiParameter("id", int, OpenApiParameter.PATH, description="id события")


class EventSerializer(serializers.ModelSerializer):
    # Plain strings here: the choice set is documented once, on the request (EventCreateRequestKindEnum).
    kind = serializers.CharField(read_only=True, help_text="broadcast, meeting или parents_meeting")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    chat_title = serializers.SerializerMethodField()
    group_name = serializers.SerializerMethodField()
    audience = serializers.SerializerMethodField()
    created_by = PersonSerializer(read_only=True, allow_null=True)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_chat_title(self, event) -> str | None:
        return event.chat.title if event.chat_id else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_group_name(self, event) -> str | None:
        return event.group.name if event.group_id else None

    @extend_schema_field(serializers.CharField(help_text="кому: название чата или группа («5А — ученики и родители»)"))
    def get_audience(self, event) -> str:
        return audience_label(event)

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
            "group",
            "group_name",
            "audience",
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
    chat = IdField(
        required=False, allow_null=True, help_text="чат, в котором объявляется событие (его участники — аудитория)"
    )
    group = IdField(
        required=False,
        allow_null=True,
        help_text="или группа: класс (ученики и их родители) или весь коллектив; указывается что-то одно",
    )
    video_url = serializers.CharField(max_length=1000, required=False, allow_blank=True, help_text="только https://")
    description = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    reminder_minutes_before = serializers.IntegerField(
        min_value=0, max_value=event_services.MAX_REMINDER_MINUTES, default=60
    )

    def validate(self, attrs):
        if (attrs.get("chat") is None) == (attrs.get("group") is None):
            message = _("Укажите аудиторию события: chat (чат) или group (группу) — что-то одно.")
            raise serializers.ValidationError({"chat": [message], "group": [message]})
        return attrs


class EventFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Event.Kind.choices, label="вид")
    chat = IdFilter(field_name="chat_id", label="чат")
    group = IdFilter(field_name="group_id", label="группа")

    class Meta:
        model = Event
        fields = ["kind", "chat", "group"]


@extend_schema_view(
    list=extend_schema(
        summary="Предстоящие события, которые видит пользователь (его чаты и группы), ближайшие сначала",
        parameters=[ORG_PARAM],
        responses={200: EventSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        summary="Событие по id (прошедшее и отменённое тоже), если пользователь его видит; иначе 404",
        parameters=[ORG_PARAM, EVENT_PARAM],
        responses={200: EventSerializer, **ERRORS},
    ),
)
class EventViewSet(OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = EventSerializer
    filterset_class = EventFilter
    lookup_url_kwarg = "id"
    search_fields = []
    ordering_fields = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Event.objects.none()
        return event_services.events_upcoming_for_user(self.request.user, self.organisation)

    def get_object(self):
        return event_services.event_get_for(self.request.user, self.organisation, self.kwargs.get("id"))

    @extend_schema(
        request=EventCreateSerializer,
        responses={201: EventSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Назначить событие для чата (кто может в нём писать) или группы (класс, весь коллектив); "
        "напоминание придёт в чат и на почту",
    )
    def create(self, request, org_pk=None):
        ser = EventCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        chat_id, group_id = data.pop("chat", None), data.pop("group", None)
        if chat_id is not None:
            data["chat"] = chat_get_for(request.user, chat_id, organisation=self.organisation)
        else:
            data["group"] = self.org_group(group_id)
        event = event_services.event_create(organisation=self.organisation, actor=request.user, **data)
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: EventSerializer, **ERRORS},
        parameters=[ORG_PARAM, EVENT_PARAM],
        summary="Отменить событие (автор, владелец чата или куратор класса, администратор)",
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, org_pk=None, id=None):
        event = event_services.event_get_for(request.user, self.organisation, id)
        event = event_services.event_cancel(event=event, actor=request.user)
        return Response(EventSerializer(event).data)
