"""Sign-in for REST clients: a token for a password or a one-time code."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.schema import ERRORS
from portal.exceptions import PermissionDenied, RuleViolation
from portal.ratelimit.limiter import ScopedRateThrottle

from .. import services, sessions
from ..models import UserSession
from .serializers import CodeRequestSerializer, CodeVerifySerializer, LoginSerializer

TokenResponse = inline_serializer("TokenResponse", {"token": serializers.CharField()})


def _token_for(request, user):
    return Response({"token": sessions.token_issue(request, user).key})


class TokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(request=LoginSerializer, responses={200: TokenResponse, **ERRORS}, summary="Вход по паролю")
    def post(self, request):
        s = LoginSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        user = services.password_login(
            request, identifier=s.validated_data["login"], password=s.validated_data["password"]
        )
        if user is None:
            raise RuleViolation(_("Неверный логин или пароль."), code="invalid_credentials")
        return _token_for(request, user)


class TokenDeleteView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None, **ERRORS}, summary="Выход: токен перестаёт действовать")
    def post(self, request):
        sessions.sessions_end_tokens(user=request.user, reason=UserSession.EndReason.SIGNED_OUT)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CodeRequestView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "otp"

    @extend_schema(
        request=CodeRequestSerializer,
        responses={202: None, **ERRORS},
        summary="Запросить одноразовый код (SMS или e-mail)",
    )
    def post(self, request):
        s = CodeRequestSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        # A code is sent only to known people, but one is made and counted for anyone: the answer, the limit and
        # the later verification read the same whether or not the account exists.
        known = services.user_find_by_identifier(s.validated_data["login"]) is not None
        services.otp_request(identifier=s.validated_data["login"], deliver=known)
        return Response({"detail": "Если такой пользователь есть, код отправлен."}, status=status.HTTP_202_ACCEPTED)


class CodeVerifyView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "otp"

    @extend_schema(
        request=CodeVerifySerializer, responses={200: TokenResponse, **ERRORS}, summary="Войти по одноразовому коду"
    )
    def post(self, request):
        s = CodeVerifySerializer(data=request.data)
        s.is_valid(raise_exception=True)
        services.otp_verify(identifier=s.validated_data["login"], code=s.validated_data["code"])
        user = services.user_find_by_identifier(s.validated_data["login"])
        if user is None:
            raise PermissionDenied(_("Учётная запись не найдена или отключена."))
        return _token_for(request, user)
