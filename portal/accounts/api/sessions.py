"""The person's own sessions and API tokens over the API, and the report of unauthorised access."""

from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.schema import ERRORS
from portal.ratelimit.limiter import ScopedRateThrottle

from .. import sessions
from ..models import UserSession
from .serializers import AccessReportSerializer, SessionSerializer


def _current(request) -> dict:
    token = getattr(request, "auth", None)
    if token is not None and getattr(token, "key", None):
        return {"current_token": token.key}
    return {"current_key": request.session.session_key}


EndedSerializer = inline_serializer("SessionsEnded", {"ended": serializers.IntegerField(help_text="Сколько завершено")})


@extend_schema_view(
    list=extend_schema(
        summary="Мои активные сеансы и API-токены",
        description="Браузеры и программы, в которых выполнен вход в учётную запись: устройство, адрес, время входа "
        "и последней активности. Чужие сеансы не видны никому.",
    ),
    destroy=extend_schema(
        summary="Завершить сеанс или отозвать API-токен",
        description="Сеанс браузера завершается (следующий запрос — без входа), API-токен перестаёт действовать "
        "(следующий запрос — 401). Чужой или уже завершённый сеанс — 404.",
        responses={204: None, **ERRORS},
    ),
)
class SessionViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    serializer_class = SessionSerializer
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "account"
    filter_backends = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return UserSession.objects.none()
        return sessions.sessions_active(self.request.user)

    def destroy(self, request, pk=None):
        sessions.session_end(user=request.user, pk=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=None,
        responses={200: EndedSerializer, **ERRORS},
        summary="Завершить все остальные сеансы и API-токены",
        description="Всё, кроме сеанса или токена, с которым пришёл этот запрос.",
    )
    @action(detail=False, methods=["post"], url_path="end-others")
    def end_others(self, request):
        ended = sessions.sessions_end_others(user=request.user, **_current(request))
        return Response({"ended": len(ended)})


AccessReportResponse = inline_serializer(
    "AccessReportResult",
    {
        "sessions": serializers.IntegerField(help_text="Завершено сеансов (браузеры и API-токены с записью)"),
        "tokens": serializers.IntegerField(help_text="Отозвано API-токенов"),
        "codes": serializers.IntegerField(help_text="Аннулировано неиспользованных одноразовых кодов"),
        "detail": serializers.CharField(),
    },
)


class AccessReportView(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "access-report"

    @extend_schema(
        request=AccessReportSerializer,
        responses={200: AccessReportResponse, **ERRORS},
        summary="Сообщить о несанкционированном доступе",
        description="Завершает все сеансы учётной записи (и этот), отзывает все API-токены и неиспользованные "
        "одноразовые коды, отключает пароль, сообщает администраторам организаций человека (инцидент и письмо) "
        "и пишет журнал действий. Дальше вход — только по одноразовому коду (/api/v1/auth/code/).",
    )
    def post(self, request):
        ser = AccessReportSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        report = sessions.access_report_create(request, user=request.user, comment=ser.validated_data.get("comment"))
        return Response(
            {
                "sessions": len(report.ended["sessions"]),
                "tokens": report.ended["tokens"],
                "codes": report.ended["codes"],
                "detail": "Все сеансы завершены. Войдите по одноразовому коду и задайте новый пароль.",
            }
        )
