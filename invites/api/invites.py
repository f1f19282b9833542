"""Invites of an organisation: create, list, detail, revoke, regenerate, pause, resume, relay, revoke all, bulk.

The printable kit and the exports are actions of the same resource (invites/api/files.py).
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from chats.models import Chat
from orgs.api.scoped import ORG_PARAM, OrgScopedMixin
from orgs.models import Group, Membership
from portal.accounts.models import User
from portal.api.schema import ERRORS
from portal.exceptions import NotFound, RuleViolation

from .. import selectors
from ..models import Invite
from ..services import links
from ..services.bulk import invite_bulk_for_class
from . import filters
from . import serializers as s
from .files import InviteFilesMixin


@extend_schema_view(
    list=extend_schema(
        summary="Ссылки-приглашения (администратор — все, остальные — свои)",
        parameters=[ORG_PARAM],
        responses={200: s.InviteSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        summary="Ссылка-приглашение и кто по ней вступил",
        parameters=[ORG_PARAM],
        responses={200: s.InviteDetailSerializer, **ERRORS},
    ),
)
class InviteViewSet(
    InviteFilesMixin, OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = s.InviteSerializer
    filterset_class = filters.InviteFilter
    search_fields = ["recipient_name", "target_group__name", "target_chat__title"]
    ordering_fields = ["created_at", "expires_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Invite.objects.none()
        return selectors.invites_for_user(self.request.user, self.organisation).order_by("-created_at", "-id")

    def get_object(self):
        return selectors.invite_get(self.request.user, self.organisation, self.kwargs["pk"])

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            # One permission check for the whole list, not one per row.
            context["organisation"] = self.organisation
            context["manages_all"] = self.request.user.has_perm("orgs.invite_members", self.organisation)
        return context

    def _respond(self, invite, code=status.HTTP_200_OK):
        invite = selectors.invite_get(self.request.user, self.organisation, invite.pk)
        return Response(s.InviteSerializer(invite, context=self.get_serializer_context()).data, status=code)

    def retrieve(self, request, org_pk=None, pk=None):
        invite = self.get_object()
        context = {
            **self.get_serializer_context(),
            "redemptions": selectors.redemptions_of(invite, include_relays=True),
        }
        return Response(s.InviteDetailSerializer(invite, context=context).data)

    def _group(self, pk) -> Group | None:
        return self.org_group(pk) if pk else None

    def _student(self, pk) -> User | None:
        return self.org_user(pk, Membership.Role.STUDENT, "bound_student") if pk else None

    def _chat(self, pk) -> Chat | None:
        """A chat of this organisation; another organisation's chat is not found."""
        if not pk:
            return None
        chat = Chat.objects.filter(organisation=self.organisation, pk=pk).select_related("group").first()
        if chat is None:
            raise NotFound(_("Чат не найден."))
        return chat

    @extend_schema(
        request=s.InviteCreateSerializer,
        responses={201: s.InviteSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Создать ссылку-приглашение в класс, в коллектив или в чат (ссылка в ответе)",
    )
    def create(self, request, org_pk=None):
        ser = s.InviteCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        invite, _token = links.invite_create(
            organisation=self.organisation,
            actor=request.user,
            target_group=self._group(data.pop("target_group", None)),
            bound_student=self._student(data.pop("bound_student", None)),
            target_chat=self._chat(data.pop("target_chat", None)),
            **data,
        )
        return self._respond(invite, status.HTTP_201_CREATED)

    @extend_schema(
        request={"multipart/form-data": s.AdminLinkSerializer, "application/json": s.AdminLinkSerializer},
        responses={201: s.InviteSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Ссылка для администратора: одноразовая, короткая, с приказом о назначении (только администраторы)",
    )
    @action(detail=False, methods=["post"], url_path="admin-link")
    def admin_link(self, request, org_pk=None):
        ser = s.AdminLinkSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        order = {
            "number": data.pop("order_number"),
            "date": data.pop("order_date"),
            "order_file": data.pop("order_file", None),
        }
        invite, _token = links.invite_create(
            organisation=self.organisation, actor=request.user, role="admin", max_uses=1, admin_order=order, **data
        )
        return self._respond(invite, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.NoteSerializer,
        responses={200: s.InviteSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Отозвать (и ссылки, переданные из неё)",
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, org_pk=None, pk=None):
        ser = s.NoteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._respond(
            links.invite_revoke(invite=self.get_object(), actor=request.user, note=ser.validated_data["note"])
        )

    @extend_schema(
        request=None,
        responses={200: s.InviteSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Выпустить новую ссылку вместо старой (старая перестаёт работать)",
    )
    @action(detail=True, methods=["post"])
    def regenerate(self, request, org_pk=None, pk=None):
        invite, _token = links.invite_regenerate(invite=self.get_object(), actor=request.user)
        return self._respond(invite)

    @extend_schema(
        request=s.NoteSerializer,
        responses={200: s.InviteSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Приостановить",
    )
    @action(detail=True, methods=["post"])
    def pause(self, request, org_pk=None, pk=None):
        ser = s.NoteSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._respond(
            links.invite_pause(invite=self.get_object(), actor=request.user, note=ser.validated_data["note"])
        )

    @extend_schema(
        request=None,
        responses={200: s.InviteSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Возобновить приостановленную",
    )
    @action(detail=True, methods=["post"])
    def resume(self, request, org_pk=None, pk=None):
        return self._respond(links.invite_resume(invite=self.get_object(), actor=request.user))

    @extend_schema(
        request=s.RelaySerializer,
        responses={201: s.InviteSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Передать: своя ссылка от имени куратора в пределах исходной",
    )
    @action(detail=True, methods=["post"])
    def relay(self, request, org_pk=None, pk=None):
        ser = s.RelaySerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        invite = selectors.invite_get_for_relay(request.user, self.organisation, pk)
        child, _token = links.invite_relay(invite=invite, actor=request.user, **ser.validated_data)
        return self._respond(child, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.RevokeAllSerializer,
        responses={200: s.RevokeAllResultSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Отозвать все действующие: класса, автора или всей организации",
    )
    @action(detail=False, methods=["post"], url_path="revoke-all")
    def revoke_all(self, request, org_pk=None):
        ser = s.RevokeAllSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        creator = None
        if ser.validated_data.get("creator"):
            creator = (
                User.objects.filter(pk=ser.validated_data["creator"], memberships__organisation=self.organisation)
                .distinct()
                .first()
            )
            if creator is None:
                raise RuleViolation(
                    _("Такого участника в организации нет."),
                    code="member_not_found",
                    fields={"creator": [_("Не найден среди участников организации.")]},
                )
        count = links.invite_revoke_all(
            organisation=self.organisation,
            actor=request.user,
            creator=creator,
            group=self._group(ser.validated_data.get("group")),
        )
        return Response({"revoked": count})

    @extend_schema(
        request=s.BulkSerializer,
        responses={201: s.BulkResultSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Личные ссылки для класса: обучающимся по списку и родителям каждого ученика",
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request, org_pk=None):
        ser = s.BulkSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        created = invite_bulk_for_class(
            organisation=self.organisation,
            actor=request.user,
            group=self.org_group(data["group"]),
            student_names=data["student_names"],
            parents=data["parents"],
            expires_at=data.get("expires_at"),
        )
        invites = self.get_queryset().filter(pk__in=[invite.pk for invite, _ in created]).order_by("pk")
        rows = s.InviteSerializer(invites, many=True, context=self.get_serializer_context()).data
        return Response({"count": len(rows), "invites": rows}, status=status.HTTP_201_CREATED)
