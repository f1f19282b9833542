"""Public endpoints: what an invite is (preview), joining by it (redeem), the search of organisations."""

from functools import cache

from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from orgs.models import Placement
from portal.accounts import sessions
from portal.accounts.services import account_signup_by_code, otp_request
from portal.api.filters import check_text
from portal.api.schema import ERRORS, ErrorSerializer
from portal.exceptions import RuleViolation
from portal.quotes import inner_quotes
from portal.ratelimit.limiter import ScopedRateThrottle
from portal.request_context import get_client_ip

from .. import selectors
from ..hooks import pending_child
from ..models import Invite, InviteRole
from ..services.guard import invite_lookup
from ..services.redeem import ensure_usable, invite_redeem, invite_state, is_student_of
from . import serializers as s

TOKEN_ERRORS = {
    **ERRORS,
    410: OpenApiResponse(ErrorSerializer, description="Ссылка истекла, использована или отозвана"),
}
TOKEN_PARAM = OpenApiParameter("token", str, OpenApiParameter.PATH, description="код из ссылки-приглашения")
OUTCOME_MESSAGES = {
    "joined": gettext_lazy("Вы присоединились."),
    "already": gettext_lazy("Вы уже участник — повторно присоединяться не нужно."),
    "requested": gettext_lazy("Заявка отправлена: вас добавят после одобрения."),
}
CHAT_OUTCOME_MESSAGES = {
    "joined": gettext_lazy("Вы вступили в чат «%(title)s»."),
    "already": gettext_lazy("Вы уже в этом чате."),
}


def target_text(invite: Invite) -> str:
    """Where the link leads, in a few words: the chat, the class, or the staff group."""
    if invite.target_chat_id:
        return f"чат «{inner_quotes(invite.target_chat.title)}»"
    return invite.target_group.name if invite.target_group else invite.organisation.short_name


def outcome_message(outcome) -> str:
    chat = outcome.invite.target_chat
    if chat is not None:
        return str(CHAT_OUTCOME_MESSAGES[outcome.kind]) % {"title": inner_quotes(chat.title)}
    return str(OUTCOME_MESSAGES[outcome.kind])


@cache
def _membership_json() -> s.MembershipSerializer:
    """One serializer for the process: a ModelSerializer builds its fields anew for each instance (~0.5 ms), the
    same for every joiner. It reads nothing of a request."""
    return s.MembershipSerializer()


class _TokenView(APIView):
    """Looks a token up behind the per-address guard; a miss counts against the address."""

    def find(self, token: str, *, joining: bool = False) -> Invite:
        return invite_lookup(token, get_client_ip(self.request), joining=joining)


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
        chat = invite.target_chat
        # A pupil of the roster without an account: the parent's redeeming makes it, nobody is to be chosen.
        pending = pending_child(invite) if invite.role == InviteRole.PARENT and not invite.bound_student_id else None
        child_required = (
            invite.role == InviteRole.PARENT and invite.bound_student_id is None and chat is None and pending is None
        )
        children = []
        # The class's roster (surname and initial) is for a signed-in parent, not for the students of the school.
        if child_required and request.user.is_authenticated and not is_student_of(org, request.user):
            placements = (
                Placement.objects.filter(group=invite.target_group, valid_to__isnull=True)
                .select_related("student")
                .order_by("student__last_name", "student__first_name")
            )
            children = [
                # Surname and initial only, as on the join page: a leaked link should not hand out the roster.
                {"id": p.student_id, "name": f"{p.student.last_name} {p.student.first_name[:1]}.".strip()}
                for p in placements
            ]
        state = invite_state(invite)
        return Response(
            {
                "organisation": org.short_name,
                "target": target_text(invite),
                "chat": chat.title if chat else None,
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
        outcome = invite_redeem(
            invite=self.find(token, joining=True),
            user=request.user,
            child_id=ser.validated_data.get("child"),
            child_name=ser.validated_data["child_name"],
            ip=get_client_ip(request),
        )
        membership = outcome.membership
        if membership is not None:
            membership = _membership_json().to_representation(membership)
        join_request = outcome.join_request
        if join_request is not None:
            # Not a member until approved: the receipt, never the request's rows (the child's full name).
            join_request = s.JoinRequestReceiptSerializer(
                s.join_request_receipt(join_request, child_id=ser.validated_data.get("child"))
            ).data
        body = {
            "outcome": outcome.kind,
            "message": outcome_message(outcome),
            "organisation": outcome.invite.organisation_id,
            "chat": outcome.invite.target_chat_id,
            "membership": membership,
            "join_request": join_request,
        }
        code = status.HTTP_200_OK if outcome.kind == "already" else status.HTTP_201_CREATED
        return Response(body, status=code)


class _SignupStep(_TokenView):
    """Signing up by a link, for a client without an account: the link must be usable and lead to the
    organisation (a chat's link admits members who already have an account)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "otp"

    def usable(self, token: str) -> Invite:
        invite = self.find(token)
        ensure_usable(invite)
        if invite.target_chat_id:
            raise RuleViolation(
                gettext("По ссылке в чат вступают участники организации: войдите в свою учётную запись."),
                code="members_only",
            )
        return invite


class InviteSignupCodeView(_SignupStep):
    @extend_schema(
        summary="Регистрация по ссылке, шаг 1: код на телефон или e-mail",
        parameters=[TOKEN_PARAM],
        request=s.SignupCodeSerializer,
        responses={202: None, **TOKEN_ERRORS},
    )
    def post(self, request, token):
        ser = s.SignupCodeSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        self.usable(token)
        otp_request(identifier=ser.validated_data["login"])
        return Response({"detail": gettext("Код отправлен.")}, status=status.HTTP_202_ACCEPTED)


class InviteSignupView(_SignupStep):
    @extend_schema(
        summary="Регистрация по ссылке, шаг 2: код, имя — и токен API",
        description=(
            "Код подтверждает телефон или e-mail, и он становится логином. Если учётная запись с ним уже есть, "
            "выдаётся токен для неё (имя не меняется). Присоединиться — следующим запросом: "
            "POST /api/v1/invites/{token}/redeem/ с этим токеном."
        ),
        parameters=[TOKEN_PARAM],
        request=s.SignupSerializer,
        responses={
            200: OpenApiResponse(s.SignupResultSerializer, description="учётная запись уже была"),
            201: OpenApiResponse(s.SignupResultSerializer, description="учётная запись создана"),
            **TOKEN_ERRORS,
        },
    )
    def post(self, request, token):
        ser = s.SignupSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        self.usable(token)
        data = ser.validated_data
        user, created = account_signup_by_code(
            identifier=data["login"],
            code=data["code"],
            last_name=data["last_name"],
            first_name=data["first_name"],
            patronymic=data["patronymic"],
            password=data["password"] or None,
        )
        body = {"token": sessions.token_issue(request, user).key, "created": created}
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


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
            check_text("q", params.get("q", "")).strip(),
            check_text("municipality", params.get("municipality", "")).strip(),
        )
