"""Serializers of the accounts API."""

from rest_framework import serializers

from ..devices import describe_device
from ..models import UserSession


class LoginSerializer(serializers.Serializer):
    login = serializers.CharField(max_length=254, help_text="Телефон или e-mail")
    password = serializers.CharField(max_length=256, trim_whitespace=False)


class CodeRequestSerializer(serializers.Serializer):
    login = serializers.CharField(max_length=254, help_text="Телефон или e-mail")


class CodeVerifySerializer(serializers.Serializer):
    login = serializers.CharField(max_length=254)
    code = serializers.CharField(max_length=12)


class SessionSerializer(serializers.ModelSerializer):
    device = serializers.SerializerMethodField(help_text="Устройство словами: браузер и система или программа")
    current = serializers.SerializerMethodField(help_text="Этот запрос пришёл с этим сеансом или токеном")
    kind = serializers.ChoiceField(
        choices=UserSession.Kind.choices, read_only=True, help_text="browser — браузер, token — API-токен"
    )

    class Meta:
        model = UserSession
        fields = ["id", "kind", "device", "ip_address", "signed_in_at", "last_seen_at", "current"]
        extra_kwargs = {
            "ip_address": {"help_text": "Адрес, с которого сеанс был виден последний раз"},
            "signed_in_at": {"help_text": "Когда выполнен вход (выдан токен)"},
            "last_seen_at": {"help_text": "Последняя активность; обновляется не чаще раза в несколько минут"},
        }

    def get_device(self, row) -> str:
        return describe_device(row.user_agent)

    def get_current(self, row) -> bool:
        request = self.context["request"]
        token = getattr(request, "auth", None)
        if row.kind == UserSession.Kind.TOKEN:
            return bool(token is not None and getattr(token, "key", None) == row.token_id)
        return bool(token is None and row.session_key and row.session_key == request.session.session_key)


class AccessReportSerializer(serializers.Serializer):
    comment = serializers.CharField(
        max_length=1000, required=False, allow_blank=True, help_text="Что произошло (необязательно), до 1000 символов"
    )
