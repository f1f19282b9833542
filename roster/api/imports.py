"""Roster import over the API: upload → preview, mapping, fixes, classes to create, confirm, job status, errors."""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from orgs.api.scoped import ORG_PARAM, OrgScopedMixin
from portal.api.files import FileNegotiation
from portal.api.schema import ERRORS
from portal.downloads import file_response
from portal.spreadsheets import XLSX_TYPE

from .. import selectors
from ..models import RosterImport
from ..planning import plan_build
from ..reading import MAX_BYTES
from ..report import error_report_filename, error_report_xlsx
from ..services import imports
from ..services.apply import error_rows
from .serializers import (
    ClassesSerializer,
    FixSerializer,
    ImportSerializer,
    MappingSerializer,
    PreviewSerializer,
    UploadSerializer,
)

FILE_ACTION = {"content_negotiation_class": FileNegotiation, "renderer_classes": [JSONRenderer]}


@extend_schema_view(
    list=extend_schema(summary="Загрузки контингента организации", parameters=[ORG_PARAM]),
    retrieve=extend_schema(
        summary="Предпросмотр загрузки: что будет с каждой строкой, ошибки, итоги",
        parameters=[ORG_PARAM],
        responses={200: PreviewSerializer, **ERRORS},
    ),
)
class RosterImportViewSet(OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Only administrators («движение и импорт контингента»); nothing is written before `confirm`."""

    serializer_class = ImportSerializer
    filter_backends = []

    @property
    def upload_max_bytes(self) -> int:
        return MAX_BYTES + settings.API_BODY_MAX_BYTES

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RosterImport.objects.none()
        return selectors.roster_imports_for(self.request.user, self.organisation)

    def _get(self, pk) -> RosterImport:
        return selectors.roster_import_get(self.request.user, self.organisation, pk)

    def retrieve(self, request, org_pk=None, pk=None):
        return Response(PreviewSerializer(self._get(pk)).data)

    @extend_schema(
        summary="Загрузить файл: ответ — предпросмотр (в базу ничего не записывается)",
        parameters=[ORG_PARAM],
        request={"multipart/form-data": UploadSerializer},
        responses={201: PreviewSerializer, **ERRORS},
    )
    def create(self, request, org_pk=None):
        ser = UploadSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        upload = ser.validated_data["file"]
        imp = imports.roster_import_create(
            organisation=self.organisation,
            actor=request.user,
            kind=ser.validated_data["kind"],
            file_name=upload.name,
            data=upload.read(MAX_BYTES + 1),
        )
        return Response(PreviewSerializer(imp).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Сопоставить столбцы файла полям", parameters=[ORG_PARAM], request=MappingSerializer,
        responses={200: PreviewSerializer, **ERRORS},
    )  # fmt: skip
    @action(detail=True, methods=["post"])
    def mapping(self, request, org_pk=None, pk=None):
        return self._change_preview(
            pk,
            MappingSerializer,
            lambda imp, data: imports.roster_import_set_mapping(imp=imp, actor=request.user, **data),
        )

    @extend_schema(
        summary="Исправить строку в предпросмотре", parameters=[ORG_PARAM], request=FixSerializer,
        responses={200: PreviewSerializer, **ERRORS},
    )  # fmt: skip
    @action(detail=True, methods=["post"])
    def fix(self, request, org_pk=None, pk=None):
        return self._change_preview(
            pk,
            FixSerializer,
            lambda imp, data: imports.roster_import_fix_row(
                imp=imp, actor=request.user, number=data["row"], values=data["values"]
            ),
        )

    @extend_schema(
        summary="Создать недостающие классы при загрузке", parameters=[ORG_PARAM], request=ClassesSerializer,
        responses={200: PreviewSerializer, **ERRORS},
    )  # fmt: skip
    @action(detail=True, methods=["post"])
    def classes(self, request, org_pk=None, pk=None):
        return self._change_preview(
            pk,
            ClassesSerializer,
            lambda imp, data: imports.roster_import_allow_classes(imp=imp, actor=request.user, names=data["classes"]),
        )

    def _change_preview(self, pk, serializer_class, change) -> Response:
        """A change to the preview (mapping, a row, classes): the import is found first, so another organisation's
        is 404 before its body is read; then the body is checked and the changed preview returned."""
        imp = self._get(pk)
        ser = serializer_class(data=self.request.data)
        ser.is_valid(raise_exception=True)
        return Response(PreviewSerializer(change(imp, ser.validated_data)).data)

    @extend_schema(
        summary="Подтвердить: фоновая задача загрузит все принятые строки или ни одной",
        parameters=[ORG_PARAM], request=None, responses={202: ImportSerializer, **ERRORS},
    )  # fmt: skip
    @action(detail=True, methods=["post"])
    def confirm(self, request, org_pk=None, pk=None):
        imp = imports.roster_import_confirm(imp=self._get(pk), actor=request.user)
        return Response(ImportSerializer(imp).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Ход задачи: обработано строк из общего числа",
        parameters=[ORG_PARAM], responses={200: ImportSerializer, **ERRORS},
    )  # fmt: skip
    @action(detail=True, methods=["get"], url_path="status")
    def job_status(self, request, org_pk=None, pk=None):
        return Response(ImportSerializer(self._get(pk)).data)

    @extend_schema(
        summary="Отчёт об ошибках: строки, которые не загружены, и причины (XLSX)",
        parameters=[ORG_PARAM],
        responses={(200, XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="XLSX"), **ERRORS},
    )
    @action(detail=True, methods=["get"], **FILE_ACTION)
    def errors(self, request, org_pk=None, pk=None):
        imp = self._get(pk)
        rows = imp.errors if imp.status == RosterImport.Status.DONE else error_rows(plan_build(imp))
        return file_response(error_report_xlsx(imp, rows), XLSX_TYPE, error_report_filename(imp))
