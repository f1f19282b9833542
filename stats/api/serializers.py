"""Serializers of the stats API."""

from rest_framework import serializers
from rest_framework.reverse import reverse

from ..models import Area, MonthlyReport
from ..services.areas import TARGET_MAX, TARGET_MIN, target_error
from ..services.reports import month_name
from ..targets import KEYS


class AreaSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = Area
        fields = ("id", "name", "region", "municipality")


class TargetsPatchSerializer(serializers.Serializer):
    def get_fields(self):
        error = target_error()
        messages = {"invalid": error, "min_value": error, "max_value": error}
        return {
            key: serializers.IntegerField(
                required=False,
                allow_null=True,
                min_value=TARGET_MIN,
                max_value=TARGET_MAX,
                error_messages=messages,
                help_text="%, null — как уровнем выше",
            )
            for key in KEYS
        }


class MonthlyReportSerializer(serializers.ModelSerializer):
    month = serializers.SerializerMethodField(help_text="ГГГГ-ММ")
    month_display = serializers.SerializerMethodField(help_text="например «октябрь 2026 г.»")
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    scheduled = serializers.SerializerMethodField(help_text="сформирован по расписанию, а не по запросу")
    file = serializers.SerializerMethodField(help_text="адрес PDF в API; пусто, пока файла нет")

    class Meta:
        model = MonthlyReport
        fields = [
            "id",
            "month",
            "month_display",
            "status",
            "status_display",
            "error",
            "size",
            "sha256",
            "requested_at",
            "generated_at",
            "scheduled",
            "file",
        ]
        read_only_fields = fields

    def get_month(self, obj) -> str:
        return f"{obj.month:%Y-%m}"

    def get_month_display(self, obj) -> str:
        return month_name(obj.month)

    def get_scheduled(self, obj) -> bool:
        return obj.requested_by_id is None

    def get_file(self, obj) -> str | None:
        if not obj.file:
            return None
        if obj.area_id is not None:
            name, kwargs = "area-stats-report-file", {"id": obj.area_id, "report_id": obj.pk}
        else:
            name, kwargs = "org-stats-report-file", {"org_pk": obj.organisation_id, "pk": obj.pk}
        return reverse(name, kwargs=kwargs, request=self.context.get("request"))


class ReportRequestSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="ГГГГ-ММ, закончившийся месяц с данными статистики", max_length=7)
