"""REST API of chats: thin views over chats.selectors and chats.services."""

import django_filters
from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from orgs.api.scoped import ORG_PARAM, OrgScopedMixin
from portal.api.filters import IdFilter, SearchFilter, filter_values
from portal.api.pagination import IdCursorPagination, ShortListPagination
from portal.api.schema import ERRORS, list_schema

from .. import selectors
from ..models import Chat, Message
from ..services import messages as message_services
from ..services import polls as poll_services
from . import serializers as s

CHAT_PARAM = OpenApiParameter("id", int, OpenApiParameter.PATH, description="id чата")
MESSAGE_PARAM = OpenApiParameter("mid", int, OpenApiParameter.PATH, description="id сообщения")
POLL_PARAM = OpenApiParameter("pid", int, OpenApiParameter.PATH, description="id опроса")


class ChatFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Chat.Kind.choices, label="вид")
    group = IdFilter(field_name="group_id", label="класс")

    class Meta:
        model = Chat
        fields = ["kind", "group"]


@list_schema("Чаты пользователя в организации с числом непрочитанных", s.ChatSerializer, ORG_PARAM)
class ChatViewSet(OrgScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.ChatSerializer  # what the list answers (its schema), read as plain rows in list()
    filterset_class = ChatFilter
    pagination_class = ShortListPagination
    every = False  # administrators see only their own chats here too

    def get_queryset(self):
        # No queryset of chats: the list reads its rows with selectors.ChatList, which alone decides who sees which
        # chat (the filters' forms and the schema need the model only).
        return Chat.objects.none()

    def list(self, request, *args, **kwargs):
        # What ChatSerializer gives for each chat of the page, read as plain rows by a hand-written query
        # (selectors.ChatList) instead of an annotated queryset, a model and a serializer's fields per chat:
        # together two thirds of the list's time. The filters and the search validated as their backends do.
        values = filter_values(request, self, Chat)
        listed = selectors.ChatList(
            request.user,
            self.organisation,
            every=self.every,
            kind=values["kind"],
            group_id=values["group"],
            mine=values.get("mine"),
            archived=values.get("archived"),
            words=SearchFilter().checked_terms(request, self),
        )
        return self.get_paginated_response(selectors.with_owners(self.paginate_queryset(listed)))


class MessageCursorPagination(IdCursorPagination):
    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class ChatScopedMixin:
    """Every view works inside one chat the user may read; any other chat is 404."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.chat = message_services.chat_get_for(request.user, kwargs.get("id"))


@list_schema("Сообщения чата, новые сначала (курсорная пагинация)", s.MessageSerializer, CHAT_PARAM)
class MessageViewSet(ChatScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.MessageSerializer
    pagination_class = MessageCursorPagination
    filter_backends = []

    @property
    def upload_max_bytes(self) -> int:
        """Every file of one message at the largest size of any kind, and the text fields (portal.api.parsers)."""
        largest = max(settings.CHAT_ATTACHMENT_MAX_BYTES.values())
        return settings.CHAT_ATTACHMENTS_PER_MESSAGE * largest + settings.API_BODY_MAX_BYTES

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Message.objects.none()
        return Message.objects.filter(chat=self.chat).select_related("author", "poll")

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return selectors.with_files(page) if page is not None else None  # the page's files in one query

    def _message(self, mid):
        return message_services.message_get(self.chat, mid)

    @extend_schema(
        request={"application/json": s.MessageWriteSerializer, "multipart/form-data": s.MessageUploadSerializer},
        responses={201: s.MessageSerializer, **ERRORS},
        parameters=[CHAT_PARAM],
        summary="Написать сообщение (можно ответом на другое; с файлами — multipart/form-data)",
        description="Файлы проверяются по содержимому; размер ограничен по видам (фото, аудио, видео, документы). "
        "Если хоть один файл не принят, сообщение не создаётся и ничего не сохраняется (400).",
    )
    def create(self, request, id=None):
        ser = s.MessageUploadSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        message = message_services.message_post(
            chat=self.chat,
            actor=request.user,
            text=ser.validated_data["text"],
            reply_to=ser.validated_data.get("reply_to"),
            files=ser.validated_data.get("files") or (),
        )
        data = s.MessageSerializer(message, context=self.get_serializer_context()).data
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.MessageEditSerializer,
        responses={200: s.MessageSerializer, **ERRORS},
        parameters=[CHAT_PARAM, MESSAGE_PARAM],
        summary="Изменить своё сообщение",
    )
    def partial_update(self, request, id=None, mid=None):
        ser = s.MessageEditSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        message = message_services.message_edit(
            message=self._message(mid), actor=request.user, text=ser.validated_data["text"]
        )
        return Response(s.MessageSerializer(message, context=self.get_serializer_context()).data)

    @extend_schema(
        request=None,
        responses={200: s.MessageSerializer, **ERRORS},
        parameters=[CHAT_PARAM, MESSAGE_PARAM],
        summary="Удалить сообщение (автор; чужие — владельцы, модераторы, администраторы); остаётся отметка",
    )
    def destroy(self, request, id=None, mid=None):
        message = message_services.message_delete(message=self._message(mid), actor=request.user)
        return Response(s.MessageSerializer(message).data)

    @extend_schema(
        request=s.ReadSerializer,
        responses={200: s.ReadStateSerializer, **ERRORS},
        parameters=[CHAT_PARAM],
        summary="Отметить чат прочитанным (до сообщения или целиком)",
    )
    def read(self, request, id=None):
        ser = s.ReadSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        state = message_services.chat_mark_read(
            chat=self.chat, actor=request.user, message_id=ser.validated_data.get("message")
        )
        return Response({"chat": self.chat.pk, "last_read_message_id": state.last_read_message_id})


class PollViewSet(ChatScopedMixin, viewsets.GenericViewSet):
    serializer_class = s.PollResultSerializer
    filter_backends = []
    pagination_class = None

    def _results(self, poll):
        data = selectors.poll_results(poll, self.request.user)
        return s.PollResultSerializer({**data, "message": poll.message_id}).data

    @extend_schema(
        request=s.PollCreateSerializer,
        responses={201: s.PollResultSerializer, **ERRORS},
        parameters=[CHAT_PARAM],
        summary="Создать опрос (публикуется сообщением)",
    )
    def create(self, request, id=None):
        ser = s.PollCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        poll = poll_services.poll_create(chat=self.chat, actor=request.user, **ser.validated_data)
        return Response(self._results(poll), status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.VoteSerializer,
        responses={200: s.PollResultSerializer, **ERRORS},
        parameters=[CHAT_PARAM, POLL_PARAM],
        summary="Проголосовать (в опросе с одним ответом новый голос заменяет прежний)",
    )
    def vote(self, request, id=None, pid=None):
        ser = s.VoteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        poll = poll_services.poll_vote(
            poll=poll_services.poll_get(self.chat, pid), actor=request.user, option_ids=ser.validated_data["options"]
        )
        return Response(self._results(poll))
