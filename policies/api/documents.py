"""REST API of the regulations: documents, versions with their clauses, agreement, approval, responsible persons.
Thin views over policies.selectors and policies.services; every route sits under one organisation."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from orgs.api.scoped import ORG_PARAM, OrgScopedMixin
from orgs.models import Membership
from portal.api.fields import parse_int
from portal.api.files import FileNegotiation
from portal.api.schema import ERRORS, ErrorSerializer
from portal.exceptions import NotFound, RuleViolation

from .. import selectors
from ..models import Document, DocumentVersion, ResponsiblePerson
from ..services.documents import clause_edit, version_create, version_refresh
from ..services.files import CONTENT_TYPES, version_file
from ..services.responsible import responsible_add, responsible_end
from ..services.workflow import version_agreement_add, version_approve, version_return_to_draft
from ..views.documents import printed_response
from .serializers import (
    AgreementSerializer,
    ApprovalSerializer,
    ClauseEditSerializer,
    DocumentSerializer,
    ResponsibleCreateSerializer,
    ResponsibleEndSerializer,
    ResponsibleSerializer,
    VersionCreateSerializer,
    VersionSerializer,
    VersionSummarySerializer,
)

ID_PARAM = OpenApiParameter("id", int, OpenApiParameter.PATH, description="id версии")
RESPONSIBLE_PARAM = OpenApiParameter("id", int, OpenApiParameter.PATH, description="id записи об ответственном")

# --- serializers -------------------------------------------------------------------------------------------------


# --- views -------------------------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Документы организации с версиями, которые видит пользователь",
        parameters=[ORG_PARAM],
        responses={200: DocumentSerializer(many=True), **ERRORS},
    ),
    create=extend_schema(
        summary="Составить проект новой версии по шаблону (администратор)",
        parameters=[ORG_PARAM],
        request=VersionCreateSerializer,
        responses={201: VersionSerializer, **ERRORS},
    ),
)
class DocumentViewSet(OrgScopedMixin, viewsets.GenericViewSet):
    """The organisation's documents; a new draft is written from the template and the organisation data."""

    serializer_class = DocumentSerializer

    def get_queryset(self):
        # The browsable API asks for it; the list itself includes the kinds that have no document yet.
        if getattr(self, "swagger_fake_view", False):
            return Document.objects.none()
        return Document.objects.filter(organisation=self.organisation)

    def get_serializer_class(self):
        return VersionCreateSerializer if self.action == "create" else DocumentSerializer

    def list(self, request, org_pk=None):
        documents = self.paginate_queryset(selectors.documents_for_user(request.user, self.organisation))
        return self.get_paginated_response(DocumentSerializer(documents, many=True).data)

    def create(self, request, org_pk=None):
        ser = VersionCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        version = version_create(organisation=self.organisation, actor=request.user, **ser.validated_data)
        return Response(VersionSerializer(version).data, status=status.HTTP_201_CREATED)


FILE_ACTION = {
    "methods": ["get"],
    "content_negotiation_class": FileNegotiation,
    "renderer_classes": [JSONRenderer],
    "pagination_class": None,
    "filter_backends": [],
}


def _file_schema(fmt: str):
    return extend_schema(
        summary=f"Версия документа в {fmt.upper()} (ГОСТ Р 7.0.97-2016, с QR-кодом страницы версии)",
        description="Черновик и версия на согласовании — с отметкой «ПРОЕКТ», формируются заново при каждом "
        "запросе (их видят администраторы и директор). Файл утверждённой версии формируется один раз, хранится "
        "и отдаётся без изменений; его SHA-256 — в заголовке ETag.",
        parameters=[ORG_PARAM, ID_PARAM],
        responses={
            (200, CONTENT_TYPES[fmt]): OpenApiResponse(OpenApiTypes.BINARY, description=f"{fmt.upper()}, формат A4"),
            **ERRORS,
            503: OpenApiResponse(ErrorSerializer, description="Файл нельзя сформировать или прочитать на сервере"),
        },
    )


class VersionFilesMixin:
    """The printed forms of a version: GET …/versions/{id}/files/pdf/ and …/files/docx/."""

    @_file_schema("pdf")
    @action(detail=True, url_path="files/pdf", url_name="file-pdf", **FILE_ACTION)
    def file_pdf(self, request, org_pk=None, pk=None):
        return printed_response(request, version_file(version=self.get_object(), fmt="pdf"))

    @_file_schema("docx")
    @action(detail=True, url_path="files/docx", url_name="file-docx", **FILE_ACTION)
    def file_docx(self, request, org_pk=None, pk=None):
        return printed_response(request, version_file(version=self.get_object(), fmt="docx"))


def _version_action(summary: str, request_serializer=None, code: int = 200):
    return extend_schema(
        summary=summary,
        parameters=[ORG_PARAM, ID_PARAM],
        request=request_serializer,
        responses={code: VersionSerializer, **ERRORS},
    )


@extend_schema_view(
    list=extend_schema(
        summary="Версии документов (черновики — администраторам и директору)",
        parameters=[ORG_PARAM],
        responses={200: VersionSummarySerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        summary="Версия с пунктами и отметками отличий от шаблона",
        parameters=[ORG_PARAM, ID_PARAM],
        responses={200: VersionSerializer, **ERRORS},
    ),
)
class VersionViewSet(
    VersionFilesMixin, OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Versions of the documents and their way: clause edits, agreement, approval by the director."""

    serializer_class = VersionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DocumentVersion.objects.none()
        return selectors.versions_for_user(self.request.user, self.organisation).order_by(
            "document__kind", "-major", "-minor"
        )

    def get_serializer_class(self):
        return VersionSummarySerializer if self.action == "list" else VersionSerializer

    def get_object(self):
        return selectors.version_get(self.request.user, self.organisation, self.kwargs["pk"])

    def _done(self, version):
        return Response(VersionSerializer(selectors.version_get(self.request.user, self.organisation, version.pk)).data)

    @_version_action("Изменить пункт черновика или вернуть текст шаблона (администратор)", ClauseEditSerializer)
    @action(detail=True, methods=["post"])
    def clauses(self, request, org_pk=None, pk=None):
        version = self.get_object()
        ser = ClauseEditSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        version = clause_edit(version=version, actor=request.user, **ser.validated_data)
        return self._done(version)

    @_version_action("Внести в черновик сведения об организации заново (администратор)")
    @action(detail=True, methods=["post"])
    def refresh(self, request, org_pk=None, pk=None):
        return self._done(version_refresh(version=self.get_object(), actor=request.user))

    @_version_action("Записать согласование: орган, номер и дата протокола (администратор)", AgreementSerializer)
    @action(detail=True, methods=["post"])
    def agreement(self, request, org_pk=None, pk=None):
        version = self.get_object()
        ser = AgreementSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        version_agreement_add(version=version, actor=request.user, **ser.validated_data)
        return self._done(version)

    @_version_action("Вернуть версию с согласования в черновик (администратор)")
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, org_pk=None, pk=None):
        return self._done(version_return_to_draft(version=self.get_object(), actor=request.user))

    @_version_action("Утвердить (директор, не автор проекта): «УТВЕРЖДАЮ» или приказом", ApprovalSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, org_pk=None, pk=None):
        version = self.get_object()
        ser = ApprovalSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._done(version_approve(version=version, actor=request.user, **ser.validated_data))


@extend_schema_view(
    list=extend_schema(
        summary="Ответственные лица (видят все участники)",
        parameters=[ORG_PARAM],
        responses={200: ResponsibleSerializer(many=True), **ERRORS},
    ),
    create=extend_schema(
        summary="Назначить ответственного (администратор)",
        parameters=[ORG_PARAM],
        request=ResponsibleCreateSerializer,
        responses={201: ResponsibleSerializer, **ERRORS},
    ),
)
class ResponsibleViewSet(OrgScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The responsible persons the orders name: seen by every member, kept by the administrators."""

    serializer_class = ResponsibleSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ResponsiblePerson.objects.none()
        return selectors.responsible_for_organisation(self.organisation)

    def create(self, request, org_pk=None):
        ser = ResponsibleCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        membership = (
            Membership.objects.filter(organisation=self.organisation, user_id=data.pop("person"), valid_to__isnull=True)
            .select_related("user")
            .first()
        )
        if membership is None:
            raise RuleViolation(
                _("Такого работника в организации нет."), code="member_not_found", fields={"person": [_("Не найден.")]}
            )
        responsible = responsible_add(
            organisation=self.organisation, actor=request.user, person=membership.user, **data
        )
        return Response(ResponsibleSerializer(responsible).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Снять обязанности с последнего дня (администратор)",
        parameters=[ORG_PARAM, RESPONSIBLE_PARAM],
        request=ResponsibleEndSerializer,
        responses={200: ResponsibleSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def end(self, request, org_pk=None, pk=None):
        try:
            responsible = self.get_queryset().get(pk=parse_int(pk, "pk"))
        except ResponsiblePerson.DoesNotExist:
            raise NotFound(_("Запись не найдена.")) from None
        ser = ResponsibleEndSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        responsible = responsible_end(responsible=responsible, actor=request.user, **ser.validated_data)
        return Response(ResponsibleSerializer(responsible).data)
