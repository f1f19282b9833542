"""Files of invites: the printable A4 kit of a class (PDF) and the export of links (CSV or XLSX).

Both are actions of the invites resource; they hold working links, so they are never cached and show only
the invites the caller may see (invites.selectors.invites_for_user).
"""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer

from orgs.api.scoped import ORG_PARAM
from portal.api.files import FileNegotiation
from portal.api.schema import ERRORS, ErrorSerializer
from portal.downloads import file_response
from portal.exceptions import PermissionDenied, RuleViolation
from portal.spreadsheets import CSV_TYPE as CSV
from portal.spreadsheets import XLSX_TYPE as XLSX

from ..exports import export_rows, invites_csv, invites_xlsx
from ..kits import kit_copies, kit_filename, kit_pdf
from ..models import Invite
from ..services.redeem import invite_state
from . import filters
from . import serializers as s

PDF = "application/pdf"
FILE_ACTION = {
    "content_negotiation_class": FileNegotiation,
    "renderer_classes": [JSONRenderer],
    "pagination_class": None,
}
PDF_RESPONSES = {
    (200, PDF): OpenApiResponse(OpenApiTypes.BINARY, description="PDF, формат A4"),
    **ERRORS,
    503: OpenApiResponse(ErrorSerializer, description="На сервере не установлены библиотеки для PDF"),
}


def _query(request, serializer_class) -> dict:
    """The action's query parameters, checked (a 400 names the wrong ones)."""
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


class InviteFilesMixin:
    """The kit and export actions of InviteViewSet (which supplies get_queryset, org_group, organisation)."""

    @extend_schema(
        summary="Комплект для печати: A4 PDF, карточка с QR-кодом, короткой ссылкой и сроком на каждого",
        description="Ссылки класса, которые видит пользователь: администратор — все, остальные — свои. "
        "Печатать может администратор, куратор и педагог класса.",
        parameters=[ORG_PARAM, s.KitQuerySerializer],
        responses=PDF_RESPONSES,
    )
    @action(detail=False, methods=["get"], filter_backends=[], **FILE_ACTION)
    def kit(self, request, org_pk=None):
        query = _query(request, s.KitQuerySerializer)
        group = self.org_group(query["group"])
        user = request.user
        if not (
            user.has_perm("orgs.invite_members", self.organisation) or user.has_perm("orgs.invite_to_group", group)
        ):
            raise PermissionDenied(_("Комплект приглашений класса печатают администратор, куратор и педагоги класса."))
        invites = filters.status_now(self.get_queryset().filter(target_group=group), query["status"])
        if query.get("role"):
            invites = invites.filter(role=query["role"])
        invites = invites.order_by(
            "-role", "bound_student__last_name", "bound_student__first_name", "recipient_name", "pk"
        )
        pdf = kit_pdf(invites, self.organisation, group)
        return file_response(pdf, PDF, kit_filename(self.organisation, group))

    @extend_schema(
        summary="Карточки одной ссылки: A4 PDF; общая ссылка — столько одинаковых карточек, сколько указано (1–40)",
        description="Личная ссылка печатается одной карточкой. Печатать можно только действующую ссылку "
        "в организацию или класс.",
        parameters=[ORG_PARAM, s.CardsQuerySerializer],
        responses=PDF_RESPONSES,
    )
    @action(detail=True, methods=["get"], filter_backends=[], **FILE_ACTION)
    def cards(self, request, org_pk=None, pk=None):
        query = _query(request, s.CardsQuerySerializer)
        invite = self.get_object()
        if invite_state(invite) != Invite.Status.ACTIVE or invite.target_chat_id:
            raise RuleViolation(
                _("Печатать можно только действующую ссылку в организацию или класс."), code="invite_not_printable"
            )
        pdf = kit_pdf(kit_copies(invite, query["copies"]), self.organisation, invite.target_group)
        return file_response(pdf, PDF, f"invite-{self.organisation.pk}-{invite.pk}.pdf")

    @extend_schema(
        summary="Выгрузка ссылок в CSV или XLSX: ФИО, класс, роль, ссылка, срок (местное время), статус",
        description="С фильтрами списка. CSV — UTF-8 с BOM и «;», как его открывает Excel с русскими настройками.",
        parameters=[ORG_PARAM, s.ExportQuerySerializer],
        filters=True,
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="CSV"),
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="XLSX"),
            **ERRORS,
        },
    )
    @action(detail=False, methods=["get"], **FILE_ACTION)
    def export(self, request, org_pk=None):
        query = _query(request, s.ExportQuerySerializer)
        rows = export_rows(self.filter_queryset(self.get_queryset()), self.organisation)
        name = f"invites-{self.organisation.pk}"
        if query["format"] == "xlsx":
            return file_response(invites_xlsx(rows, self.organisation), XLSX, f"{name}.xlsx")
        return file_response(invites_csv(rows, self.organisation), CSV, f"{name}.csv")
