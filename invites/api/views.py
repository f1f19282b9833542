"""REST API of invites and join requests: thin views over invites.selectors and invites.services."""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from orgs.api.serializers import ReasonSerializer
from orgs.api.views import ORG_PARAM, OrgScopedMixin
from orgs.models import Group, Membership, Organisation, Placement
from portal.accounts.models import User
from portal.api.schema import ERRORS, ErrorSerializer
from portal.exceptions import NotFound, RuleViolation
from portal.request_context import get_client_ip

from .. import selectors
from ..models import Invite, InviteRole, JoinRequest
from ..services import join_requests as join_services
from ..services import links
from ..services.bulk import invite_bulk_for_class
from ..services.guard import token_guard, token_miss
from ..services.redeem import ensure_usable, invite_find, invite_redeem, invite_state
from . import filters
from . import serializers as s

TOKEN_ERRORS = {
    **ERRORS,
    410: OpenApiResponse(ErrorSerializer, description="Ссылка истекла, использована или отозвана"),
}
TOKEN_PARAM = OpenApiParameter("token", str, OpenApiParameter.PATH, description="код из ссылки-приглашения")
OUTCOME_MESSAGES = {
    "joined": "Вы присоединились.",
    "already": "Вы уже участник — повторно присоединяться не нужно.",
    "requested": "Заявка отправлена: вас добавят после одобрения.",
}


def _int_or_none(value):
    return int(value) if value is not None else None


# --- Invites of an organisation ---------------------------------------------------------


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
class InviteViewSet(OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.InviteSerializer
    filterset_class = filters.InviteFilter
    search_fields = ["recipient_name", "target_group__name"]
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

    @extend_schema(
        request=s.InviteCreateSerializer,
        responses={201: s.InviteSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Создать ссылку-приглашение (ссылка в ответе)",
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
            **data,
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
                    "Такого участника в организации нет.",
                    code="member_not_found",
                    fields={"creator": ["Не найден среди участников организации."]},
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


# --- Joining by a link (public) ---------------------------------------------------------


class _TokenView(APIView):
    """Looks a token up behind the per-address guard; a miss counts against the address."""

    def find(self, token: str) -> Invite:
        ip = get_client_ip(self.request)
        token_guard(ip)
        try:
            return invite_find(token)
        except NotFound:
            token_miss(ip)
            raise


class InvitePreviewView(_TokenView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Что за приглашение: организация, куда, роль, кто пригласил, до какого срока (без входа)",
        parameters=[TOKEN_PARAM],
        responses={200: s.InvitePreviewSerializer, **TOKEN_ERRORS},
    )
    def get(self, request, token):
        invite = self.find(token)
        ensure_usable(invite)
        org = invite.organisation
        child_required = invite.role == InviteRole.PARENT and invite.bound_student_id is None
        children = []
        if child_required and request.user.is_authenticated:
            placements = (
                Placement.objects.filter(group=invite.target_group, valid_to__isnull=True)
                .select_related("student")
                .order_by("student__last_name", "student__first_name")
            )
            children = [
                {"id": p.student_id, "name": f"{p.student.last_name} {p.student.first_name}".strip()}
                for p in placements
            ]
        state = invite_state(invite)
        return Response(
            {
                "organisation": org.short_name,
                "target": invite.target_group.name if invite.target_group else org.short_name,
                "role": invite.role,
                "role_display": invite.get_role_display(),
                "invited_by": invite.created_by.full_name,
                "expires_at": invite.expires_at,
                "expires_at_local": s.local_text(invite.expires_at, org),
                "time_zone": org.time_zone,
                "status": state,
                "status_display": str(Invite.Status(state).label),
                "requires_approval": invite.requires_approval,
                "child_required": child_required,
                "children": children,
            }
        )


class InviteRedeemView(_TokenView):
    @extend_schema(
        summary="Присоединиться по ссылке",
        parameters=[TOKEN_PARAM],
        request=s.RedeemSerializer,
        responses={
            200: OpenApiResponse(s.RedeemResultSerializer, description="уже участник"),
            201: OpenApiResponse(s.RedeemResultSerializer, description="вступил или отправлена заявка"),
            **TOKEN_ERRORS,
        },
    )
    def post(self, request, token):
        ser = s.RedeemSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        child = None
        if ser.validated_data.get("child"):
            child = User.objects.filter(pk=ser.validated_data["child"]).first()
            if child is None:
                raise RuleViolation(
                    "Этот ребёнок не учится в классе, куда вас пригласили.",
                    code="child_not_in_class",
                    fields={"child": ["Не найден в классе."]},
                )
        ip = get_client_ip(request)
        token_guard(ip)
        try:
            outcome = invite_redeem(token=token, user=request.user, child=child, ip=ip)
        except NotFound:
            token_miss(ip)
            raise
        context = {"request": request, "organisation": outcome.invite.organisation}
        membership = outcome.membership
        if membership is not None:
            membership = s.MembershipSerializer(membership, context=context).data
        join_request = outcome.join_request
        if join_request is not None:
            join_request = s.JoinRequestSerializer(join_request, context=context).data
        body = {
            "outcome": outcome.kind,
            "message": OUTCOME_MESSAGES[outcome.kind],
            "organisation": outcome.invite.organisation_id,
            "membership": membership,
            "join_request": join_request,
        }
        code = status.HTTP_200_OK if outcome.kind == "already" else status.HTTP_201_CREATED
        return Response(body, status=code)


# --- Join requests ----------------------------------------------------------------------


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
            raise NotFound("Организация не найдена.")

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
        responses={201: s.JoinRequestSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Подать заявку на вступление в организацию (от своего имени)",
    )
    def create(self, request, org_pk=None):
        ser = s.JoinRequestCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        group = child = None
        if data.get("group"):
            group = Group.objects.filter(
                organisation=self.organisation, pk=data["group"], kind=Group.Kind.CLASS, is_archived=False
            ).first()
            if group is None:
                raise RuleViolation(
                    "Выберите класс этой организации.", code="class_invalid", fields={"group": ["Класс не найден."]}
                )
        if data.get("child"):
            placement = (
                Placement.objects.filter(
                    organisation=self.organisation, group=group, student_id=data["child"], valid_to__isnull=True
                )
                .select_related("student")
                .first()
            )
            if group is None or placement is None:
                raise RuleViolation(
                    "Этот ребёнок не учится в выбранном классе.",
                    code="child_not_in_class",
                    fields={"child": ["Не найден в классе."]},
                )
            child = placement.student
        join_request = join_services.join_request_create(
            organisation=self.organisation,
            user=request.user,
            role=data["role"],
            group=group,
            child=child,
            message=data["message"],
        )
        return self._respond(join_request, status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: s.JoinRequestSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Одобрить: человек вступает, ему приходит письмо",
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, org_pk=None, pk=None):
        return self._respond(join_services.join_request_approve(request=self.get_object(), actor=request.user))

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


# --- Public search of organisations -----------------------------------------------------


@extend_schema(
    summary="Найти организацию по названию или муниципалитету (без входа)",
    parameters=[
        OpenApiParameter("q", str, description="часть названия"),
        OpenApiParameter("municipality", str, description="часть названия муниципалитета"),
    ],
    responses={200: s.OrganisationSearchSerializer(many=True), **ERRORS},
)
class OrganisationSearchView(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = s.OrganisationSearchSerializer
    filter_backends = []

    def get_queryset(self):
        params = self.request.query_params
        return selectors.organisations_search(
            params.get("q", "")[:100].strip(), params.get("municipality", "")[:100].strip()
        )
