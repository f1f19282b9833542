from functools import cached_property

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.accounts.models import User
from portal.api.fields import IdField

from ..models import (
    APPLICANT_FIELDS,
    PROFILE_FIELDS,
    AcademicYear,
    AuditEntry,
    CuratorAssignment,
    Group,
    Membership,
    Organisation,
    ParentLink,
    Placement,
    RegistrationApplication,
    TeachingAssignment,
)


class PersonSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "full_name", "last_name", "first_name", "patronymic"]


class OrganisationSerializer(serializers.ModelSerializer):
    vocabulary = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = ["id", *PROFILE_FIELDS, "staff_headcount", "created_at", "vocabulary"]
        read_only_fields = ["id", "kind", "created_at", "vocabulary"]

    def get_vocabulary(self, obj) -> dict:
        return obj.vocabulary.__dict__


class RegistrationSubmitSerializer(serializers.ModelSerializer):
    order_file = serializers.FileField(help_text="Приказ о назначении администратора: PDF, JPEG или PNG")

    class Meta:
        model = RegistrationApplication
        fields = [*PROFILE_FIELDS, *APPLICANT_FIELDS, "order_file"]


class RegistrationSerializer(serializers.ModelSerializer):
    class Meta:
        model = RegistrationApplication
        fields = [
            "id",
            "status",
            *PROFILE_FIELDS,
            *APPLICANT_FIELDS,
            "order_file",
            "submitted_at",
            "decided_at",
            "rejection_reason",
            "organisation",
        ]
        read_only_fields = fields


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class AcademicYearSerializer(serializers.ModelSerializer):
    class Meta:
        model = AcademicYear
        fields = ["id", "name", "starts_on", "ends_on", "is_current"]


class GroupSerializer(serializers.ModelSerializer):
    curator = serializers.SerializerMethodField()
    student_count = serializers.IntegerField(read_only=True)
    academic_year_name = serializers.CharField(source="academic_year.name", read_only=True, default=None)

    class Meta:
        model = Group
        fields = [
            "id",
            "kind",
            "name",
            "grade",
            "letter",
            "parent",
            "academic_year",
            "academic_year_name",
            "is_archived",
            "curator",
            "student_count",
        ]
        read_only_fields = ["id", "is_archived", "curator", "student_count", "academic_year_name"]

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_curator(self, obj):
        active = getattr(obj, "active_curatorships", None)
        if active is None:
            active = list(obj.curatorships.filter(valid_to__isnull=True).select_related("teacher"))
        return PersonSerializer(active[0].teacher).data if active else None


class GroupWriteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[c for c in Group.Kind.choices if c[0] != Group.Kind.STAFF])
    name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    grade = serializers.IntegerField(min_value=0, max_value=12, required=False, allow_null=True)
    letter = serializers.CharField(max_length=15, required=False, allow_blank=True)
    academic_year = IdField(required=False, allow_null=True)
    parent = IdField(required=False, allow_null=True)


class GroupUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=150, required=False)
    grade = serializers.IntegerField(min_value=0, max_value=12, required=False)
    letter = serializers.CharField(max_length=15, required=False, allow_blank=True)
    parent = IdField(required=False, allow_null=True)


class PlacementBriefSerializer(serializers.ModelSerializer):
    group_name = serializers.CharField(source="group.name")

    class Meta:
        model = Placement
        fields = ["group", "group_name", "valid_from"]


class MembershipSerializer(serializers.ModelSerializer):
    person = PersonSerializer(source="user", read_only=True)
    is_verified = serializers.BooleanField(source="is_verified_teacher", read_only=True)
    group = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = [
            "id",
            "person",
            "role",
            "position",
            "verification",
            "is_verified",
            "verification_note",
            "valid_from",
            "valid_to",
            "end_reason",
            "group",
        ]
        read_only_fields = fields

    @extend_schema_field(PlacementBriefSerializer(allow_null=True))
    def get_group(self, obj):
        if obj.role != Membership.Role.STUDENT:
            return None
        placements = getattr(obj.user, "current_placements", None)
        if placements is None:
            placements = list(
                obj.user.placements.filter(organisation_id=obj.organisation_id, valid_to__isnull=True).select_related(
                    "group"
                )
            )
        return self._placement.to_representation(placements[0]) if placements else None

    @cached_property
    def _placement(self) -> PlacementBriefSerializer:
        return PlacementBriefSerializer()  # one for a list's members, not one per member


class PersonAddSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=[Membership.Role.TEACHER, Membership.Role.STUDENT, Membership.Role.PARENT])
    last_name = serializers.CharField(max_length=100)
    first_name = serializers.CharField(max_length=100)
    patronymic = serializers.CharField(max_length=100, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    position = serializers.ChoiceField(choices=Membership.Position.choices, required=False, allow_blank=True)
    group = IdField(required=False, allow_null=True, help_text="класс обучающегося")
    verified = serializers.BooleanField(required=False, default=False)


class TransferSerializer(serializers.Serializer):
    group = IdField()


class PositionSerializer(serializers.Serializer):
    position = serializers.ChoiceField(choices=[c for c in Membership.Position.choices if c[0]])


class EndSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255, required=False, allow_blank=True)


class CuratorAssignmentSerializer(serializers.ModelSerializer):
    teacher_person = PersonSerializer(source="teacher", read_only=True)
    group_name = serializers.CharField(source="group.name", read_only=True)

    class Meta:
        model = CuratorAssignment
        fields = ["id", "group", "group_name", "teacher", "teacher_person", "valid_from", "valid_to"]
        read_only_fields = fields


class TeachingAssignmentSerializer(serializers.ModelSerializer):
    teacher_person = PersonSerializer(source="teacher", read_only=True)
    group_name = serializers.CharField(source="group.name", read_only=True)

    class Meta:
        model = TeachingAssignment
        fields = ["id", "group", "group_name", "teacher", "teacher_person", "subject", "valid_from", "valid_to"]
        read_only_fields = fields


class ParentLinkSerializer(serializers.ModelSerializer):
    parent_person = PersonSerializer(source="parent", read_only=True)
    child_person = PersonSerializer(source="child", read_only=True)

    class Meta:
        model = ParentLink
        fields = ["id", "parent", "parent_person", "child", "child_person", "valid_from", "valid_to"]
        read_only_fields = fields


class CuratorAssignSerializer(serializers.Serializer):
    group = IdField()
    teacher = IdField(help_text="id пользователя-педагога")


class TeachingAssignSerializer(serializers.Serializer):
    group = IdField()
    teacher = IdField(help_text="id пользователя-педагога")
    subject = serializers.CharField(max_length=150)


class ParentLinkCreateSerializer(serializers.Serializer):
    parent = IdField(help_text="id пользователя-родителя")
    child = IdField(help_text="id пользователя-обучающегося")


class AdminAppointSerializer(serializers.Serializer):
    user = IdField(help_text="id пользователя-педагога")
    order_number = serializers.CharField(
        max_length=50, required=False, allow_blank=True, default="", help_text="номер приказа о назначении"
    )
    order_date = serializers.DateField(required=False, allow_null=True, default=None, help_text="дата приказа")
    order_file = serializers.FileField(
        required=False, allow_null=True, default=None, help_text="приказ: PDF, JPEG или PNG (multipart)"
    )


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = PersonSerializer(read_only=True)

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "created_at",
            "actor",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "details",
            "ip_address",
        ]
        read_only_fields = fields
