"""People: memberships, verification, administrators, assignments, parent links, the audit log."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.accounts.models import User
from portal.api.fields import parse_int
from portal.api.schema import ERRORS
from portal.exceptions import NotFound, RuleViolation

from .. import selectors
from ..models import AuditEntry, Membership
from ..services import membership as membership_services
from ..services.people import person_add
from . import filters
from . import serializers as s
from .movement import MemberMovementMixin
from .scoped import ORG_PARAM, OrgScopedMixin

# --- People -----------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="Участники (видимые пользователю)", parameters=[ORG_PARAM]),
    retrieve=extend_schema(summary="Участник", parameters=[ORG_PARAM]),
)
class MemberViewSet(
    MemberMovementMixin, OrgScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = s.MembershipSerializer
    filterset_class = filters.MembershipFilter
    search_fields = ["user__last_name", "user__first_name", "user__patronymic"]
    ordering_fields = ["valid_from", "user__last_name"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        include_ended = self.action != "list" or self.request.query_params.get("active") == "false"
        return selectors.members_for_user(self.request.user, self.organisation, include_ended=include_ended)

    def get_object(self):
        return selectors.member_get(self.request.user, self.organisation, self.kwargs["pk"])

    def _respond(self, membership):
        return Response(s.MembershipSerializer(self.get_object_for(membership)).data)

    def get_object_for(self, membership):
        return selectors.member_get(self.request.user, self.organisation, membership.pk)

    @extend_schema(
        request=s.PersonAddSerializer,
        responses={201: s.MembershipSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Добавить человека: принять педагога, зачислить обучающегося",
    )
    def create(self, request, org_pk=None):
        ser = s.PersonAddSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = dict(ser.validated_data)
        group = data.pop("group", None)
        membership = person_add(
            organisation=self.organisation,
            actor=request.user,
            group=self.org_group(group) if group else None,
            phone=data.pop("phone", None) or None,
            email=data.pop("email", None) or None,
            **data,
        )
        return Response(s.MembershipSerializer(self.get_object_for(membership)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: s.MembershipSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Подтвердить статус педагога",
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, org_pk=None, pk=None):
        return self._respond(membership_services.teacher_verify(membership=self.get_object(), actor=request.user))

    @extend_schema(
        request=s.ReasonSerializer,
        responses={200: s.MembershipSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Отклонить статус педагога с причиной",
    )
    @action(detail=True, methods=["post"], url_path="reject-verification")
    def reject_verification(self, request, org_pk=None, pk=None):
        ser = s.ReasonSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._respond(
            membership_services.teacher_reject(
                membership=self.get_object(), actor=request.user, reason=ser.validated_data["reason"]
            )
        )

    @extend_schema(
        request=None,
        responses={201: s.MembershipSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Назначить педагога администратором",
    )
    @action(detail=True, methods=["post"], url_path="make-admin")
    def make_admin(self, request, org_pk=None, pk=None):
        member = self.get_object()
        admin = membership_services.admin_appoint(organisation=self.organisation, user=member.user, actor=request.user)
        return Response(s.MembershipSerializer(self.get_object_for(admin)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: s.MembershipSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Снять роль администратора (кроме последнего)",
    )
    @action(detail=True, methods=["post"], url_path="remove-admin")
    def remove_admin(self, request, org_pk=None, pk=None):
        return self._respond(membership_services.admin_remove(membership=self.get_object(), actor=request.user))

    @extend_schema(
        request=s.EndSerializer,
        responses={200: s.MembershipSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Завершить участие (отчисление, увольнение); история остаётся",
    )
    @action(detail=True, methods=["post"])
    def end(self, request, org_pk=None, pk=None):
        ser = s.EndSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._respond(
            membership_services.membership_end(
                membership=self.get_object(), actor=request.user, reason=ser.validated_data.get("reason", "")
            )
        )

    @extend_schema(
        request=s.TransferSerializer,
        responses={200: s.MembershipSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Зачислить в класс или перевести в другой",
    )
    @action(detail=True, methods=["post"])
    def transfer(self, request, org_pk=None, pk=None):
        ser = s.TransferSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        member = self.get_object()
        if member.role != Membership.Role.STUDENT or not member.is_active:
            raise RuleViolation(_("Переводить можно только действующих обучающихся."), code="not_student")
        membership_services.student_place(
            organisation=self.organisation,
            student=member.user,
            group=self.org_group(ser.validated_data["group"]),
            actor=request.user,
        )
        return self._respond(member)

    @extend_schema(
        request=s.PositionSerializer,
        responses={200: s.MembershipSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Изменить должность сотрудника",
    )
    @action(detail=True, methods=["post"])
    def position(self, request, org_pk=None, pk=None):
        ser = s.PositionSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        return self._respond(
            membership_services.staff_set_position(
                membership=self.get_object(), actor=request.user, position=ser.validated_data["position"]
            )
        )


class _AssignmentViewSet(OrgScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """List, create and end an assignment; ending keeps the row as history."""

    selector = None
    end_service = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.serializer_class.Meta.model.objects.none()
        self.need("view_members")
        return type(self).selector(self.organisation).order_by("id")

    def get_object(self):
        obj = self.serializer_class.Meta.model.objects.filter(
            organisation=self.organisation, pk=parse_int(self.kwargs["pk"], "id")
        ).first()
        if obj is None:
            raise NotFound()
        return obj

    @extend_schema(request=None, responses={204: None, **ERRORS}, parameters=[ORG_PARAM], summary="Завершить")
    def destroy(self, request, org_pk=None, pk=None):
        type(self).end_service(self.get_object(), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(list=extend_schema(summary="Кураторы классов", parameters=[ORG_PARAM]))
class CuratorViewSet(_AssignmentViewSet):
    serializer_class = s.CuratorAssignmentSerializer
    selector = selectors.curator_assignments

    @staticmethod
    def end_service(obj, actor):
        return membership_services.curator_unassign(assignment=obj, actor=actor)

    @extend_schema(
        request=s.CuratorAssignSerializer,
        responses={201: s.CuratorAssignmentSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Назначить куратора (классного руководителя) классу",
    )
    def create(self, request, org_pk=None):
        ser = s.CuratorAssignSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        assignment = membership_services.curator_assign(
            group=self.org_group(ser.validated_data["group"]),
            actor=request.user,
            teacher=self.org_user(ser.validated_data["teacher"], Membership.Role.TEACHER, "teacher"),
        )
        return Response(s.CuratorAssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(summary="Учебная нагрузка", parameters=[ORG_PARAM]))
class TeachingViewSet(_AssignmentViewSet):
    serializer_class = s.TeachingAssignmentSerializer
    selector = selectors.teaching_assignments
    filterset_fields = ["group", "teacher", "subject"]

    @staticmethod
    def end_service(obj, actor):
        return membership_services.teaching_end(assignment=obj, actor=actor)

    @extend_schema(
        request=s.TeachingAssignSerializer,
        responses={201: s.TeachingAssignmentSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Назначить нагрузку: педагог, класс, предмет",
    )
    def create(self, request, org_pk=None):
        ser = s.TeachingAssignSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        assignment = membership_services.teaching_assign(
            group=self.org_group(ser.validated_data["group"]),
            actor=request.user,
            teacher=self.org_user(ser.validated_data["teacher"], Membership.Role.TEACHER, "teacher"),
            subject=ser.validated_data["subject"],
        )
        return Response(s.TeachingAssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(summary="Связи родитель — ребёнок", parameters=[ORG_PARAM]))
class ParentLinkViewSet(_AssignmentViewSet):
    serializer_class = s.ParentLinkSerializer
    selector = selectors.parent_links
    filterset_fields = ["parent", "child"]

    @staticmethod
    def end_service(obj, actor):
        return membership_services.parent_link_end(link=obj, actor=actor)

    @extend_schema(
        request=s.ParentLinkCreateSerializer,
        responses={201: s.ParentLinkSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Связать родителя с ребёнком",
    )
    def create(self, request, org_pk=None):
        ser = s.ParentLinkCreateSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        parent_id = parse_int(ser.validated_data["parent"], "parent")
        parent = User.objects.filter(pk=parent_id, memberships__organisation=self.organisation).first()
        if parent is None:
            raise RuleViolation(
                _("Такого человека в организации нет."),
                code="member_not_found",
                fields={"parent": [_("Не найден среди участников организации.")]},
            )
        link = membership_services.parent_link_create(
            organisation=self.organisation,
            parent=parent,
            actor=request.user,
            child=self.org_user(ser.validated_data["child"], Membership.Role.STUDENT, "child"),
        )
        return Response(s.ParentLinkSerializer(link).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(summary="Журнал действий (администратор, руководитель)", parameters=[ORG_PARAM]))
class AuditViewSet(OrgScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.AuditEntrySerializer
    filterset_class = filters.AuditFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AuditEntry.objects.none()
        self.need("view_audit")
        return selectors.audit_entries(self.organisation)


@extend_schema_view(list=extend_schema(summary="Администраторы организации", parameters=[ORG_PARAM]))
class AdministratorViewSet(OrgScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.MembershipSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        self.need("view_members")
        return selectors.administrators(self.organisation).order_by("id")

    @extend_schema(
        request=s.AdminAppointSerializer,
        responses={201: s.MembershipSerializer, **ERRORS},
        parameters=[ORG_PARAM],
        summary="Назначить администратора из педагогов (с приказом о назначении: номер, дата, файл)",
    )
    def create(self, request, org_pk=None):
        ser = s.AdminAppointSerializer(data=request.data)
        ser.is_valid(raise_exception=True)
        data = ser.validated_data
        membership = membership_services.admin_appoint(
            organisation=self.organisation,
            actor=request.user,
            user=self.org_user(data["user"], Membership.Role.TEACHER, "user"),
            order_number=data["order_number"],
            order_date=data["order_date"],
            order_file=data["order_file"],
        )
        return Response(s.MembershipSerializer(membership).data, status=status.HTTP_201_CREATED)
