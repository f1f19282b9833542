"""REST API of moderation: reports and their queue, the members of a chat (mute, unmute, remove), pinned posts.
Thin views over chats.selectors and chats.services.moderation."""

import django_filters
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from orgs.api.scoped import ORG_PARAM, OrgScopedMixin
from orgs.api.serializers import PersonSerializer
from portal.api.filters import FilterBackend, IdFilter
from portal.api.schema import ERRORS, list_schema
from portal.exceptions import NotFound, PermissionDenied

from .. import selectors
from ..models import ChatMember, Message, Report
from ..services import messages as message_services
from ..services import moderation as services
from .messages import CHAT_PARAM, MESSAGE_PARAM, ChatScopedMixin
from .serializers import MessageSerializer

USER_PARAM = OpenApiParameter("user_id", int, OpenApiParameter.PATH, description="id пользователя — участника чата")
REPORT_PARAM = OpenApiParameter("rid", int, OpenApiParameter.PATH, description="id жалобы")


# --- serializers -------------------------------------------------------------------------------------------------


class ReportCreateSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Report.Reason.choices, help_text="причина жалобы")
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, help_text="до 500 символов")


class ReportedMessageSerializer(serializers.ModelSerializer):
    author = PersonSerializer(read_only=True, allow_null=True)
    is_deleted = serializers.BooleanField(read_only=True)

    class Meta:
        model = Message
        fields = ["id", "text", "author", "created_at", "is_deleted"]


class ReportSerializer(serializers.ModelSerializer):
    # Plain strings here: the reasons are documented once, on the request (ReasonEnum).
    reason = serializers.CharField(read_only=True, help_text="insult, inappropriate, spam, forbidden_service, …")
    reason_display = serializers.CharField(source="get_reason_display", read_only=True)
    status = serializers.CharField(read_only=True, help_text="open, message_deleted или dismissed")
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    chat_title = serializers.CharField(source="chat.title", read_only=True)
    message = ReportedMessageSerializer(read_only=True)
    reporter = PersonSerializer(read_only=True, allow_null=True)
    resolved_by = PersonSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "chat",
            "chat_title",
            "message",
            "reporter",
            "automatic",
            "reason",
            "reason_display",
            "comment",
            "status",
            "status_display",
            "created_at",
            "resolved_by",
            "resolved_at",
            "resolution_note",
        ]


class ResolveSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[("delete_message", "удалить сообщение"), ("dismiss", "отклонить жалобу")],
        help_text="delete_message — удалить сообщение (остаётся отметка), dismiss — оставить сообщение",
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, help_text="комментарий к решению")


class ChatMemberSerializer(serializers.ModelSerializer):
    user = PersonSerializer(read_only=True)
    role = serializers.CharField(read_only=True, help_text="owner, moderator или member")
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    is_muted = serializers.SerializerMethodField()
    muted_until = serializers.SerializerMethodField()

    class Meta:
        model = ChatMember
        fields = ["user", "role", "role_display", "joined_at", "managed_by_structure", "is_muted", "muted_until"]

    @extend_schema_field(serializers.BooleanField(help_text="сейчас не может писать"))
    def get_is_muted(self, member) -> bool:
        return member.is_muted()

    @extend_schema_field(
        serializers.DateTimeField(allow_null=True, help_text="до какого времени; null — без срока или не ограничен")
    )
    def get_muted_until(self, member):
        return serializers.DateTimeField().to_representation(member.muted_until) if member.is_muted() else None


class MuteSerializer(serializers.Serializer):
    until = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="до какого времени (с часовым поясом); без поля или null — пока модератор не снимет ограничение",
    )


class PinnedMessageSerializer(MessageSerializer):
    class Meta(MessageSerializer.Meta):
        fields = [*MessageSerializer.Meta.fields, "pinned_at"]

    def to_representation(self, message) -> dict:
        # The message as MessageSerializer draws it from its columns, and the field this one adds.
        return {**super().to_representation(message), "pinned_at": self._moment.to_representation(message.pinned_at)}


# --- the queue ---------------------------------------------------------------------------------------------------


class ReportFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Report.Status.choices, label="статус (по умолчанию — ждущие решения)")
    chat = IdFilter(field_name="chat_id", label="чат")

    class Meta:
        model = Report
        fields = ["status", "chat"]


@list_schema("Очередь жалоб: жалобы на сообщения чатов, которые пользователь модерирует", ReportSerializer, ORG_PARAM)
class ReportViewSet(OrgScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ReportSerializer
    filterset_class = ReportFilter
    filter_backends = [FilterBackend]
    lookup_url_kwarg = "rid"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        chat_ids = selectors.moderated_chat_ids(request.user, self.organisation)
        if chat_ids is not None and not chat_ids.exists():
            raise PermissionDenied(_("Очередь жалоб доступна владельцам и модераторам чатов и администраторам."))

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Report.objects.none()
        qs = selectors.moderation_queue(self.request.user, self.organisation, status=None)
        if "status" not in self.request.query_params:
            qs = qs.filter(status=Report.Status.OPEN)
        return qs

    @extend_schema(
        request=ResolveSerializer,
        responses={200: ReportSerializer, **ERRORS},
        parameters=[ORG_PARAM, REPORT_PARAM],
        summary="Рассмотреть жалобу: удалить сообщение или отклонить (закрывает все жалобы на это сообщение)",
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, org_pk=None, rid=None):
        ser = ResolveSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        queue = selectors.moderation_queue(request.user, self.organisation, status=None)
        report = queue.filter(pk=rid).first()
        if report is None:
            raise NotFound(_("Жалоба не найдена."))
        services.report_resolve(
            report=report,
            actor=request.user,
            action=ser.validated_data["action"],
            note=ser.validated_data.get("note", ""),
        )
        return Response(ReportSerializer(queue.get(pk=report.pk)).data)


# --- messages: report, pin, unpin --------------------------------------------------------------------------------


class MessageModerationViewSet(ChatScopedMixin, viewsets.GenericViewSet):
    serializer_class = PinnedMessageSerializer
    filter_backends = []
    pagination_class = None

    def _message(self, mid) -> Message:
        message = message_services.message_get(self.chat, mid)
        message.chat = self.chat
        return message

    @extend_schema(
        request=ReportCreateSerializer,
        responses={201: ReportSerializer, **ERRORS},
        parameters=[CHAT_PARAM, MESSAGE_PARAM],
        summary="Пожаловаться на сообщение (повторная жалоба, пока первая ждёт решения, — 409)",
    )
    def report(self, request, id=None, mid=None):
        ser = ReportCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        report = services.report_create(message=self._message(mid), actor=request.user, **ser.validated_data)
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: PinnedMessageSerializer, **ERRORS},
        parameters=[CHAT_PARAM, MESSAGE_PARAM],
        summary="Закрепить сообщение (владельцы и модераторы чата, администраторы)",
    )
    def pin(self, request, id=None, mid=None):
        message = services.message_pin(message=self._message(mid), actor=request.user)
        return Response(PinnedMessageSerializer(message).data)

    @extend_schema(
        request=None,
        responses={200: PinnedMessageSerializer, **ERRORS},
        parameters=[CHAT_PARAM, MESSAGE_PARAM],
        summary="Открепить сообщение",
    )
    def unpin(self, request, id=None, mid=None):
        message = services.message_unpin(message=self._message(mid), actor=request.user)
        return Response(PinnedMessageSerializer(message).data)


# --- members -----------------------------------------------------------------------------------------------------


@list_schema("Участники чата с ролью и ограничением (видят все, кто читает чат)", ChatMemberSerializer, CHAT_PARAM)
class ChatMemberViewSet(ChatScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ChatMemberSerializer
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ChatMember.objects.none()
        return selectors.chat_members(self.chat)

    def _member_data(self, member):
        return ChatMemberSerializer(selectors.chat_members(self.chat).filter(pk=member.pk).first() or member).data

    @extend_schema(
        request=MuteSerializer,
        responses={200: ChatMemberSerializer, **ERRORS},
        parameters=[CHAT_PARAM, USER_PARAM],
        summary="Запретить участнику писать (до времени или до снятия)",
    )
    def mute(self, request, id=None, user_id=None):
        ser = MuteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        member = services.member_mute(
            chat=self.chat, actor=request.user, user=int(user_id), until=ser.validated_data.get("until")
        )
        return Response(self._member_data(member))

    @extend_schema(
        request=None,
        responses={200: ChatMemberSerializer, **ERRORS},
        parameters=[CHAT_PARAM, USER_PARAM],
        summary="Снять ограничение: участник снова может писать",
    )
    def unmute(self, request, id=None, user_id=None):
        member = services.member_unmute(chat=self.chat, actor=request.user, user=int(user_id))
        return Response(self._member_data(member))

    @extend_schema(
        request=None,
        responses={204: None, **ERRORS},
        parameters=[CHAT_PARAM, USER_PARAM],
        summary="Исключить участника, добавленного вручную (участники по структуре исключаются через класс)",
    )
    def destroy(self, request, id=None, user_id=None):
        services.member_remove(chat=self.chat, actor=request.user, user=int(user_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
