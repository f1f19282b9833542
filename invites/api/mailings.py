"""E-mail mailings of invite links: start one (a background job) and watch its progress."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.response import Response

from orgs.api.scoped import ORG_PARAM, OrgScopedMixin
from portal.api.schema import ERRORS
from portal.exceptions import NotFound

from .. import selectors
from ..models import InviteMailing
from ..services.sending import invite_mailing_get, invite_mailing_progress, invite_mailing_start
from . import serializers as s


def _body(mailing: InviteMailing) -> dict:
    return s.MailingSerializer(
        {"id": mailing.pk, "created_at": mailing.created_at, **invite_mailing_progress(mailing)}
    ).data


class InviteMailingViewSet(OrgScopedMixin, viewsets.GenericViewSet):
    serializer_class = s.MailingSerializer
    filter_backends = []
    pagination_class = None

    def get_queryset(self):
        return InviteMailing.objects.none()  # the views read through invites.services.sending

    @extend_schema(
        summary="Разослать ссылки по e-mail (фоновая задача); письма уходят тем, у кого известен адрес",
        request=s.MailingCreateSerializer,
        responses={202: OpenApiResponse(s.MailingSerializer, description="рассылка поставлена в очередь"), **ERRORS},
        parameters=[ORG_PARAM],
    )
    def create(self, request, org_pk=None):
        ser = s.MailingCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        ids = list(dict.fromkeys(ser.validated_data["invites"]))
        found = {
            invite.pk: invite
            for invite in selectors.invites_for_user(request.user, self.organisation).filter(pk__in=ids)
        }
        if len(found) != len(ids):
            raise NotFound(_("Ссылка-приглашение не найдена."))
        invites = [found[pk] for pk in ids]
        for invite in invites:
            invite.organisation = self.organisation
        mailing = invite_mailing_start(organisation=self.organisation, actor=request.user, invites=invites)
        return Response(_body(mailing), status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Ход рассылки: «отправлено 12 из 30», неудачи, пропуски, завершена ли",
        responses={200: s.MailingSerializer, **ERRORS},
        parameters=[ORG_PARAM],
    )
    def retrieve(self, request, org_pk=None, pk=None):
        return Response(_body(invite_mailing_get(request.user, self.organisation, pk)))
