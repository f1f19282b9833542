"""REST API of managing chats inside an organisation: the list (every chat for administrators), create, detail,
rename, archive, restore, leave, members. Thin views over chats.selectors and chats.services.manage."""

import django_filters
from django.db.models import OuterRef, Subquery
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from orgs.api.scoped import ORG_PARAM
from orgs.api.serializers import PersonSerializer
from orgs.selectors import group_get
from portal.api.fields import IdField
from portal.api.schema import ERRORS

from .. import selectors
from ..models import Chat, ChatMember
from ..services import manage as services
from ..services.messages import chat_get_for
from . import serializers as s
from .messages import CHAT_PARAM, ChatFilter, ChatViewSet
from .moderation import ChatMemberSerializer

MINE_PARAM = OpenApiParameter(
    "mine",
    bool,
    description="true — только чаты, в которых пользователь состоит (для администраторов; остальные видят только "
    "свои чаты), false — только те, где он не состоит",
)


class ChatDetailSerializer(s.ChatSerializer):
    # Plain strings here: the choice set of kinds is documented once, on the list (ChatKindEnum).
    kind = serializers.CharField(read_only=True, help_text="вид чата, как в списке чатов")
    created_by = PersonSerializer(read_only=True, allow_null=True)
    last_activity = serializers.DateTimeField(read_only=True, help_text="время последнего сообщения или создания")

    class Meta(s.ChatSerializer.Meta):
        fields = [*s.ChatSerializer.Meta.fields, "created_by", "created_at", "archived_at", "last_activity"]


class CandidateSerializer(serializers.Serializer):
    person = PersonSerializer(source="user")
    category = serializers.CharField(
        help_text="leader (руководитель и заместители), admin, teacher (педагоги и сотрудники), parent, student"
    )
    category_display = serializers.CharField(help_text="название раздела, как на странице")
    note = serializers.CharField(help_text="должность, класс обучающегося или ребёнок родителя")


class ChatCreateSerializer(serializers.Serializer):
    kind = serializers.CharField(
        max_length=32,
        help_text="mgmt_deputies, mgmt_teachers, mgmt_parents_committee, mgmt_student_council (администраторы, "
        "руководитель, заместители) или other; чаты классов, по предметам и каналы создаются по структуре",
    )
    title = serializers.CharField(
        max_length=1000,
        required=False,
        allow_blank=True,
        help_text="до 200 символов; у чатов руководителя по умолчанию — их вид",
    )
    group = IdField(required=False, allow_null=True, help_text="класс (для other; педагогам обязателен, их класс)")
    members = serializers.ListField(
        child=IdField(),
        required=False,
        max_length=services.MAX_MEMBERS_AT_ONCE,
        help_text="id пользователей организации. Если не указаны: в чате заместителей — руководитель и заместители, "
        "в чате с педагогами — все сотрудники. Обучающиеся — только в чате класса и совета обучающихся, "
        "и никогда вдвоём с одним взрослым",
    )


class ChatRenameSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=1000, help_text="до 200 символов")


class MembersAddSerializer(serializers.Serializer):
    members = serializers.ListField(
        child=IdField(), min_length=1, max_length=services.MAX_MEMBERS_AT_ONCE, help_text="id пользователей"
    )


class MembersAddedSerializer(serializers.Serializer):
    added = ChatMemberSerializer(many=True, help_text="добавленные (уже состоявшие в чате пропускаются)")
    member_count = serializers.IntegerField(help_text="участников в чате теперь")


class LeaveResultSerializer(serializers.Serializer):
    chat = serializers.IntegerField()
    new_owner = serializers.IntegerField(allow_null=True, help_text="кому перешло владение, если вы были последним")


class ChatListFilter(ChatFilter):
    mine = django_filters.BooleanFilter(method="filter_mine", label="только мои чаты")
    archived = django_filters.BooleanFilter(field_name="is_archived", label="в архиве")

    class Meta(ChatFilter.Meta):
        fields = ["kind", "group", "mine", "archived"]

    def filter_mine(self, queryset, name, value):
        return queryset.filter(my_role__isnull=not value)


DETAIL = {200: ChatDetailSerializer, **ERRORS}


@extend_schema_view(
    list=extend_schema(
        summary="Чаты организации: свои чаты с числом непрочитанных; администратору — все чаты организации",
        description="Администратор организации получает все её чаты (my_role = null там, где он не участник); "
        "mine=true оставляет только чаты, в которых он состоит. Поиск по названию: search.",
        parameters=[ORG_PARAM, MINE_PARAM],
        responses={200: s.ChatSerializer(many=True), **ERRORS},
    ),
)
class ChatManageViewSet(ChatViewSet):
    filterset_class = ChatListFilter
    lookup_url_kwarg = "id"
    search_fields = ["title"]
    ordering_fields = []

    every = True  # every chat of the organisation for its administrators

    def _chat(self, pk) -> Chat:
        return chat_get_for(self.request.user, pk, organisation=self.organisation)

    def _detail(self, chat: Chat, code=status.HTTP_200_OK) -> Response:
        mine = ChatMember.objects.filter(chat=OuterRef("pk"), user=self.request.user, left_at__isnull=True)
        qs = selectors.chats_for_admin(self.organisation).filter(pk=chat.pk).select_related("created_by")
        qs = qs.annotate(my_role=Subquery(mine.values("role")[:1]))
        row = selectors.with_unread_counts(qs, self.request.user).get()
        return Response(ChatDetailSerializer(row).data, status=code)

    @extend_schema(
        request=ChatCreateSerializer,
        responses={201: ChatDetailSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Создать чат: руководителя (администраторы, руководитель, заместители) или другой чат "
        "(администраторы; подтверждённые кураторы и педагоги — для своего класса); создатель — владелец",
    )
    def create(self, request, org_pk=None):
        ser = ChatCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        group = group_get(request.user, self.organisation, data["group"]) if data.get("group") else None
        chat = services.chat_create(
            organisation=self.organisation,
            actor=request.user,
            kind=data["kind"],
            title=data.get("title", ""),
            group=group,
            member_ids=data.get("members", ()),
        )
        return self._detail(chat, status.HTTP_201_CREATED)

    @extend_schema(
        responses=DETAIL,
        parameters=[ORG_PARAM, CHAT_PARAM],
        summary="Чат: вид, класс, владельцы, число участников, последняя активность",
    )
    def retrieve(self, request, org_pk=None, id=None):
        return self._detail(self._chat(id))

    @extend_schema(
        request=ChatRenameSerializer,
        responses=DETAIL,
        parameters=[ORG_PARAM, CHAT_PARAM],
        summary="Переименовать чат, созданный вручную (владельцы чата, администраторы)",
    )
    def partial_update(self, request, org_pk=None, id=None):
        chat = self._chat(id)  # another organisation's chat is not found, whatever the body
        ser = ChatRenameSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        chat = services.chat_rename(chat=chat, actor=request.user, title=ser.validated_data["title"])
        return self._detail(chat)

    @extend_schema(
        request=None,
        responses=DETAIL,
        parameters=[ORG_PARAM, CHAT_PARAM],
        summary="Перенести чат в архив: только чтение, история сохраняется (владельцы, администраторы; "
        "чаты по структуре — нельзя)",
    )
    @action(detail=True, methods=["post"])
    def archive(self, request, org_pk=None, id=None):
        return self._detail(services.chat_archive(chat=self._chat(id), actor=request.user))

    @extend_schema(
        request=None,
        responses=DETAIL,
        parameters=[ORG_PARAM, CHAT_PARAM],
        summary="Вернуть чат из архива (владельцы, администраторы)",
    )
    @action(detail=True, methods=["post"])
    def restore(self, request, org_pk=None, id=None):
        return self._detail(services.chat_restore(chat=self._chat(id), actor=request.user))

    @extend_schema(
        request=None,
        responses={200: LeaveResultSerializer, **ERRORS},
        parameters=[ORG_PARAM, CHAT_PARAM],
        summary="Выйти из чата, созданного вручную (последний владелец передаёт чат куратору или администратору)",
    )
    @action(detail=True, methods=["post"])
    def leave(self, request, org_pk=None, id=None):
        chat = self._chat(id)
        heir = services.chat_leave(chat=chat, actor=request.user)
        return Response({"chat": chat.pk, "new_owner": heir})

    @extend_schema(
        methods=["GET"],
        request=None,
        responses={200: ChatMemberSerializer(many=True), **ERRORS},
        parameters=[ORG_PARAM, CHAT_PARAM],
        summary="Участники чата, владельцы сначала (видят все, кто читает чат)",
    )
    @extend_schema(
        methods=["POST"],
        request=MembersAddSerializer,
        responses={201: MembersAddedSerializer, **ERRORS},
        parameters=[ORG_PARAM, CHAT_PARAM],
        summary="Добавить участников в чат, созданный вручную (владельцы, администраторы; по правилам вида чата)",
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def members(self, request, org_pk=None, id=None):
        chat = self._chat(id)
        if request.method == "POST":
            ser = MembersAddSerializer(data=request.data)
            ser.is_valid(raise_exception=True)
            rows = services.chat_members_add(chat=chat, actor=request.user, user_ids=ser.validated_data["members"])
            members = selectors.chat_members(chat)
            added = members.filter(pk__in=[r.pk for r in rows])
            data = {"added": ChatMemberSerializer(added, many=True).data, "member_count": members.count()}
            return Response(data, status=status.HTTP_201_CREATED)
        page = self.paginate_queryset(selectors.chat_members(chat))
        return self.get_paginated_response(ChatMemberSerializer(page, many=True).data)

    @extend_schema(
        request=None,
        responses={200: CandidateSerializer(many=True), **ERRORS},
        parameters=[ORG_PARAM, CHAT_PARAM],
        summary="Кого можно добавить в чат: люди, которых допускает вид чата (и его класс) и которых в нём нет, по "
        "разделам, как на странице «Добавить участников» (владельцы, администраторы)",
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def candidates(self, request, org_pk=None, id=None):
        chat = self._chat(id)
        services.require_members_addable(chat=chat, actor=request.user)
        sections = selectors.member_picker(chat.organisation, selectors.chat_member_candidates(chat))
        rows = [
            {**person, "category": section["key"], "category_display": str(section["label"])}
            for section in sections
            for person in section["people"]
        ]
        return Response(CandidateSerializer(rows, many=True).data)
