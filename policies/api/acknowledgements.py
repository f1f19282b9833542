"""REST API of the acknowledgements («Подтверждаю ознакомление») and of the user agreement, under one organisation:
what I must read, acknowledging it (for myself or my child), the progress of a version with who has and who has not
read it, paper signatures, the «Лист ознакомления» as PDF or XLSX; the agreement in force and its acceptance."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from orgs.api.scoped import ORG_PARAM, OrgScopedMixin
from portal.accounts.models import User
from portal.api.fields import parse_int
from portal.api.schema import ERRORS
from portal.downloads import file_response
from portal.exceptions import PermissionDenied, RuleViolation
from portal.spreadsheets import XLSX_TYPE

from .. import selectors, selectors_ack
from ..models import Acknowledgement, Document
from ..permissions import can_see_drafts
from ..services.acknowledgements import acknowledgement_record, acknowledgement_record_paper
from ..services.terms import terms_accept
from ..sheet import sheet_filename, sheet_pdf, sheet_xlsx
from .serializers import (
    AcknowledgementSerializer,
    AcknowledgeSerializer,
    CampaignSerializer,
    MineSerializer,
    PaperSerializer,
    ProgressSerializer,
    TermsAcceptSerializer,
    TermsStateSerializer,
)

VERSION_PARAM = OpenApiParameter("id", int, OpenApiParameter.PATH, description="id версии документа")
FILES = ("pdf", "xlsx")


class _Summary:
    def __init__(self, campaign, p):
        present = [r for r in p.done if not r.left]
        self.campaign, self.version = campaign, selectors_ack.version_in_force_of(campaign)
        self.done, self.total = len(present), len(present) + len(p.pending)
        self.acknowledged, self.pending = p.done, p.pending


@extend_schema_view(
    list=extend_schema(
        summary="Ход ознакомления по каждой редакции: «N из M» (администраторы и директор)",
        parameters=[ORG_PARAM],
        responses={200: CampaignSerializer(many=True), **ERRORS},
    ),
    retrieve=extend_schema(
        summary="Кто ознакомился с версией и кто нет (администраторы и директор)",
        parameters=[ORG_PARAM, VERSION_PARAM],
        responses={200: ProgressSerializer, **ERRORS},
    ),
)
class AcknowledgementViewSet(OrgScopedMixin, viewsets.GenericViewSet):
    """Acknowledgement of the documents in force; `{id}` is the id of a version (any version of the redaction)."""

    serializer_class = CampaignSerializer

    def get_queryset(self):
        return Acknowledgement.objects.none()  # the lists come from the selectors

    def _campaign(self, pk, *, manage: bool = True):
        if manage and not can_see_drafts(self.request.user, self.organisation):
            raise PermissionDenied(_("Ход ознакомления видят администраторы и директор."))
        return selectors_ack.campaign_get(self.organisation, parse_int(pk, "id"))

    def list(self, request, org_pk=None):
        if not can_see_drafts(request.user, self.organisation):
            raise PermissionDenied(_("Ход ознакомления видят администраторы и директор."))
        page = self.paginate_queryset(selectors_ack.progress_summaries(self.organisation))
        return self.get_paginated_response(CampaignSerializer(page, many=True).data)

    def retrieve(self, request, org_pk=None, pk=None):
        campaign = self._campaign(pk)
        return Response(ProgressSerializer(_Summary(campaign, selectors_ack.progress(campaign))).data)

    @extend_schema(
        summary="Мои документы для ознакомления (и моих детей) и мои отметки в этой организации",
        parameters=[ORG_PARAM],
        responses={200: MineSerializer, **ERRORS},
    )
    @action(detail=False, methods=["get"])
    def mine(self, request, org_pk=None):
        pending = [
            {"current": c.current, "child": None}
            for c in selectors_ack.pending_for_user(request.user)
            if c.document.organisation_id == self.organisation.pk
        ]
        for entry in selectors_ack.children_pending_for(request.user):
            if entry.organisation.pk == self.organisation.pk:
                pending += [{"current": c.current, "child": entry.child} for c in entry.campaigns]
        acknowledged = selectors_ack.acknowledgements_of(request.user, self.organisation)
        return Response(MineSerializer({"pending": pending, "acknowledged": acknowledged}).data)

    @extend_schema(
        summary="«Подтверждаю ознакомление»: отметить ознакомление с версией (за себя или, родителю, за ребёнка)",
        parameters=[ORG_PARAM, VERSION_PARAM],
        request=AcknowledgeSerializer,
        responses={201: AcknowledgementSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, org_pk=None, pk=None):
        campaign = self._campaign(pk, manage=False)
        ser = AcknowledgeSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        child = None
        if ser.validated_data.get("child"):
            child = User.objects.filter(pk=ser.validated_data["child"]).first()
            if child is None:
                raise PermissionDenied(
                    _("Отметить ознакомление можно только за своего ребёнка."), code="not_your_child"
                )
        ack = acknowledgement_record(campaign=campaign, actor=request.user, child=child)
        return Response(AcknowledgementSerializer(ack).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Записать подпись на бумажном листе ознакомления (администратор)",
        parameters=[ORG_PARAM, VERSION_PARAM],
        request=PaperSerializer,
        responses={201: AcknowledgementSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def paper(self, request, org_pk=None, pk=None):
        campaign = self._campaign(pk)
        ser = PaperSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        person = User.objects.filter(pk=ser.validated_data["person"]).first()
        if person is None:
            raise RuleViolation(
                _("Этого человека с документом не знакомят."),
                code="not_in_audience",
                fields={"person": [_("Не найден.")]},
            )
        ack = acknowledgement_record_paper(
            campaign=campaign, actor=request.user, person=person, day=ser.validated_data["day"]
        )
        return Response(AcknowledgementSerializer(ack).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="«Лист ознакомления» версии в PDF или XLSX (администраторы и директор)",
        parameters=[
            ORG_PARAM,
            VERSION_PARAM,
            OpenApiParameter("file", str, enum=[*FILES], description="формат файла; по умолчанию pdf"),
        ],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF"),
            (200, XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="XLSX"),
            **ERRORS,
        },
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer])
    def sheet(self, request, org_pk=None, pk=None):
        campaign = self._campaign(pk)
        file_format = request.query_params.get("file") or "pdf"
        if file_format not in FILES:
            message = _("Допустимые значения: %(values)s.") % {"values": ", ".join(FILES)}
            raise RuleViolation(message, code="invalid", fields={"file": [message]})
        if file_format == "pdf":
            return file_response(sheet_pdf(campaign), "application/pdf", sheet_filename(campaign, "pdf"))
        return file_response(sheet_xlsx(campaign), XLSX_TYPE, sheet_filename(campaign, "xlsx"))


@extend_schema_view(
    list=extend_schema(
        summary="Пользовательское соглашение организации в силе и принято ли оно мной",
        parameters=[ORG_PARAM],
        responses={200: TermsStateSerializer, **ERRORS},
    ),
    create=extend_schema(
        summary="Принять соглашение и дать согласие на обработку персональных данных",
        parameters=[ORG_PARAM],
        request=TermsAcceptSerializer,
        responses={200: TermsStateSerializer, **ERRORS},
    ),
)
class TermsViewSet(OrgScopedMixin, viewsets.GenericViewSet):
    """The organisation's user agreement: open before it is accepted (the rest of the API answers 403)."""

    serializer_class = TermsStateSerializer
    terms_exempt = True
    pagination_class = None

    def get_queryset(self):
        return Acknowledgement.objects.none()

    def _state(self):
        version = selectors.version_in_force(self.organisation, Document.Kind.USER_TERMS)
        pending = selectors_ack.terms_pending_for(self.request.user).filter(document__organisation=self.organisation)
        return {"version": version, "accepted": version is not None and not pending.exists()}

    def list(self, request, org_pk=None):
        return Response(TermsStateSerializer(self._state()).data)

    def create(self, request, org_pk=None):
        ser = TermsAcceptSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        pending = selectors_ack.terms_pending_for(request.user).filter(document__organisation=self.organisation)
        terms_accept(actor=request.user, version_ids=list(pending.values_list("pk", flat=True)), **ser.validated_data)
        return Response(TermsStateSerializer(self._state()).data)
