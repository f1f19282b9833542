"""Serializers of the safety API."""

from rest_framework import serializers

from orgs.api.serializers import PersonSerializer

from ..models import Incident


class IncidentSerializer(serializers.ModelSerializer):
    person = PersonSerializer(read_only=True, help_text="Кто сообщил о несанкционированном доступе")
    comment = serializers.CharField(source="report.comment", read_only=True, help_text="Что сообщил человек")
    ended = serializers.JSONField(
        source="report.ended",
        read_only=True,
        help_text="Что завершено: sessions (устройство, адрес, последняя активность), tokens, codes",
    )
    status = serializers.ChoiceField(
        choices=Incident.Status.choices, read_only=True, help_text="open — новый, reviewed — рассмотрен"
    )

    class Meta:
        model = Incident
        fields = ["id", "person", "created_at", "comment", "ended", "status", "reviewed_at"]
