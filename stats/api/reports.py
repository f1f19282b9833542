"""The monthly reports in the API: the list, the file, and a request to build one (202: a worker builds it).
An organisation's: its administrators and leaders only (view_statistics); another organisation's are 404.
A municipality's: its methodologists and the operator only (others 404); each request and download is written to the
log of every organisation of the municipality."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from invites.api.files import FileNegotiation
from orgs.api.scoped import ORG_PARAM, OrgScopedMixin
from portal.api.fields import parse_int
from portal.api.schema import ERRORS, ErrorSerializer
from portal.exceptions import NotFound

from .. import selectors
from ..models import MonthlyReport
from ..permissions import VIEW_STATISTICS
from ..services.report_jobs import area_report_downloaded, area_report_request, monthly_report_request, parse_month
from ..views.organisation import report_file_response
from .areas import AREA_PARAM, AreaScopedMixin
from .serializers import MonthlyReportSerializer, ReportRequestSerializer


class ReportsListBase(GenericAPIView):
    """The list and the request, whoever the reports are of: `get_queryset` and `request_report` say."""

    serializer_class = MonthlyReportSerializer
    queryset = MonthlyReport.objects.none()  # for the schema: the views' get_queryset says whose

    def get(self, request, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def post(self, request, **kwargs):
        body = ReportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        report = self.request_report(parse_month(body.validated_data["month"]))
        return Response(self.get_serializer(report).data, status=status.HTTP_202_ACCEPTED)

    def request_report(self, month) -> MonthlyReport:
        raise NotImplementedError


class ReportFileBase(GenericAPIView):
    """The report's PDF; its ETag is the SHA-256 of the file."""

    content_negotiation_class = FileNegotiation
    renderer_classes = [JSONRenderer]
    pagination_class = None
    lookup_url_kwarg = "pk"

    def get(self, request, **kwargs):
        pk = parse_int(kwargs.get(self.lookup_url_kwarg), "id")
        report = self.get_queryset().select_related("organisation", "area").filter(pk=pk).first()
        if report is None or not report.file:
            raise NotFound(_("Такого отчёта нет или его файл ещё не готов."))
        response = report_file_response(request, report)
        self.downloaded(report)
        return response

    def downloaded(self, report: MonthlyReport) -> None:
        """Nothing to note for an organisation's own readers."""


def _list_schema(whose: str, param) -> dict:
    return {
        "get": extend_schema(
            summary=f"Ежемесячные отчёты {whose} (PDF): список",
            parameters=[param],
            responses={200: MonthlyReportSerializer(many=True), **ERRORS},
        ),
        "post": extend_schema(
            summary=f"Сформировать отчёт {whose} за месяц: 202, строка отчёта в состоянии «готовится»",
            description="Повторный запрос за тот же месяц формирует отчёт заново; новый файл заменяет прежний.",
            parameters=[param],
            request=ReportRequestSerializer,
            responses={202: MonthlyReportSerializer, **ERRORS},
        ),
    }


def _file_schema(whose: str, param, report_param: str = "id"):
    return extend_schema(
        summary=f"Файл отчёта {whose} (PDF)",
        parameters=[param, OpenApiParameter(report_param, int, OpenApiParameter.PATH, description="id отчёта")],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF, формат A4"),
            **ERRORS,
            404: OpenApiResponse(ErrorSerializer, description="Нет такого отчёта или его файл ещё не готов"),
        },
    )


class ReportsMixin(OrgScopedMixin):
    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.need(VIEW_STATISTICS)

    def get_queryset(self):
        return selectors.monthly_reports(organisation_id=self.organisation.pk)


@extend_schema_view(**_list_schema("организации", ORG_PARAM))
class MonthlyReportsView(ReportsMixin, ReportsListBase):
    """The organisation's monthly reports, newest month first; POST asks for one to be built."""

    def request_report(self, month) -> MonthlyReport:
        return monthly_report_request(organisation=self.organisation, month=month, actor=self.request.user)


@extend_schema_view(get=_file_schema("организации", ORG_PARAM))
class MonthlyReportFileView(ReportsMixin, ReportFileBase):
    """The organisation's report's PDF."""


class AreaReportsMixin(AreaScopedMixin):
    """A municipality's reports: its methodologists and the operator (area_get; others 404)."""

    def get_queryset(self):
        return selectors.monthly_reports(area_id=self.area.pk)


@extend_schema_view(**_list_schema("муниципалитета (методист муниципалитета)", AREA_PARAM))
class AreaReportsView(AreaReportsMixin, ReportsListBase):
    """The municipality's monthly reports (the table of its organisations at each month's end), newest month first;
    POST asks for one to be built and is written to the log of every organisation of the area."""

    def request_report(self, month) -> MonthlyReport:
        return area_report_request(area=self.area, month=month, actor=self.request.user)


@extend_schema_view(get=_file_schema("муниципалитета", AREA_PARAM, "report_id"))
class AreaReportFileView(AreaReportsMixin, ReportFileBase):
    """The municipality's report's PDF; each download is written to the log of every organisation of the area."""

    lookup_url_kwarg = "report_id"  # the area's is «id»

    def downloaded(self, report: MonthlyReport) -> None:
        area_report_downloaded(report=report, actor=self.request.user)
