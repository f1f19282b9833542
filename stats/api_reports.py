"""The monthly reports in the API: the list, the file, and a request to build one (202: a worker builds it).
Administrators and leaders of the organisation only (view_statistics); another organisation's are 404."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse

from invites.api.files import FileNegotiation
from orgs.api.base import ORG_PARAM, OrgScopedMixin, parse_int
from portal.api.schema import ERRORS, ErrorSerializer
from portal.exceptions import NotFound

from . import selectors
from .models import MonthlyReport
from .services.report_jobs import monthly_report_request, parse_month
from .services.reports import month_name
from .views import report_file_response


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
        kwargs = {"org_pk": obj.organisation_id, "pk": obj.pk}
        return reverse("org-stats-report-file", kwargs=kwargs, request=self.context.get("request"))


class ReportRequestSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="ГГГГ-ММ, закончившийся месяц с данными статистики", max_length=7)


class ReportsMixin(OrgScopedMixin):
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.need("view_statistics")

    def get_queryset(self):
        return selectors.monthly_reports(organisation_id=self.organisation.pk)


class MonthlyReportsView(ReportsMixin, GenericAPIView):
    """The organisation's monthly reports, newest month first; POST asks for one to be built."""

    serializer_class = MonthlyReportSerializer

    @extend_schema(
        summary="Ежемесячные отчёты организации (PDF): список",
        parameters=[ORG_PARAM],
        responses={200: MonthlyReportSerializer(many=True), **ERRORS},
    )
    def get(self, request, org_pk=None):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Сформировать отчёт за месяц: 202, строка отчёта в состоянии «готовится»",
        description="Повторный запрос за тот же месяц формирует отчёт заново; новый файл заменяет прежний.",
        parameters=[ORG_PARAM],
        request=ReportRequestSerializer,
        responses={202: MonthlyReportSerializer, **ERRORS},
    )
    def post(self, request, org_pk=None):
        body = ReportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        month = parse_month(body.validated_data["month"])
        report = monthly_report_request(organisation=self.organisation, month=month, actor=request.user)
        return Response(self.get_serializer(report).data, status=status.HTTP_202_ACCEPTED)


class MonthlyReportFileView(ReportsMixin, GenericAPIView):
    """The report's PDF; its ETag is the SHA-256 of the file."""

    content_negotiation_class = FileNegotiation
    renderer_classes = [JSONRenderer]
    pagination_class = None

    @extend_schema(
        summary="Файл отчёта (PDF)",
        parameters=[ORG_PARAM, OpenApiParameter("id", int, OpenApiParameter.PATH, description="id отчёта")],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF, формат A4"),
            **ERRORS,
            404: OpenApiResponse(ErrorSerializer, description="Нет такого отчёта или его файл ещё не готов"),
        },
    )
    def get(self, request, org_pk=None, pk=None):
        pk = parse_int(pk, "id")
        report = self.get_queryset().select_related("organisation").filter(pk=pk).first()
        if report is None or not report.file:
            raise NotFound("Такого отчёта нет или его файл ещё не готов.")
        return report_file_response(request, report)
