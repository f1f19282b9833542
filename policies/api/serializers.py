"""Serializers of the policies API."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from orgs.api.serializers import PersonSerializer

from .. import selectors
from ..models import Acknowledgement, Agreement, Document, DocumentVersion, ForbiddenService, ResponsiblePerson
from ..services.content import MAX_ITEMS
from ..services.documents import MAX_CLAUSE_LENGTH


class AgreementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Agreement
        fields = ["body", "protocol_number", "protocol_date"]


class VersionSummarySerializer(serializers.ModelSerializer):
    kind = serializers.CharField(source="document.kind", read_only=True)
    number = serializers.CharField(read_only=True)
    is_major = serializers.BooleanField(read_only=True)
    author = PersonSerializer(read_only=True)
    approved_by = PersonSerializer(read_only=True, allow_null=True)
    agreements = AgreementSerializer(many=True, read_only=True)

    class Meta:
        model = DocumentVersion
        fields = [
            "id",
            "kind",
            "number",
            "is_major",
            "status",
            "author",
            "created_at",
            "agreements",
            "approval_method",
            "order_number",
            "order_date",
            "approved_by",
            "approved_at",
            "in_force_from",
            "superseded_at",
        ]


class ClauseSerializer(serializers.Serializer):
    key = serializers.CharField()
    number = serializers.CharField()
    text = serializers.CharField()
    template_text = serializers.CharField(help_text="текст пункта по шаблону")
    differs = serializers.BooleanField(help_text="текст отличается от шаблона")


class SectionSerializer(serializers.Serializer):
    key = serializers.CharField()
    number = serializers.CharField()
    title = serializers.CharField()
    clauses = ClauseSerializer(many=True)


class VersionSerializer(VersionSummarySerializer):
    heading = serializers.SerializerMethodField()
    subject = serializers.SerializerMethodField()
    preamble = serializers.SerializerMethodField()
    sections = serializers.SerializerMethodField()
    data = serializers.JSONField(read_only=True, help_text="сведения об организации, из которых составлен текст")

    class Meta(VersionSummarySerializer.Meta):
        fields = [*VersionSummarySerializer.Meta.fields, "heading", "subject", "preamble", "sections", "data"]

    def get_heading(self, v) -> str:
        return v.content.get("heading", "")

    def get_subject(self, v) -> str:
        return v.content.get("subject", "")

    def get_preamble(self, v) -> str:
        return v.content.get("preamble", "")

    @extend_schema_field(SectionSerializer(many=True))
    def get_sections(self, v):
        return selectors.version_clauses(v)


class DocumentSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Document.Kind.choices)
    title = serializers.CharField(source="get_kind_display")
    versions = VersionSummarySerializer(many=True, source="visible_versions")


class VersionCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Document.Kind.choices)
    major = serializers.BooleanField(default=True, help_text="новая редакция (x+1.0) или правка (x.y+1)")


class ClauseEditSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=64)
    text = serializers.CharField(
        max_length=MAX_CLAUSE_LENGTH, allow_null=True, help_text="новый текст; null — вернуть текст шаблона"
    )


class ApprovalSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=DocumentVersion.ApprovalMethod.choices)
    order_number = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    order_date = serializers.DateField(required=False, allow_null=True, default=None)
    in_force_from = serializers.DateField(required=False, allow_null=True, default=None)


class ResponsibleSerializer(serializers.ModelSerializer):
    person = PersonSerializer(read_only=True)

    class Meta:
        model = ResponsiblePerson
        fields = ["id", "person", "duty", "position", "valid_from", "valid_to"]


class ResponsibleCreateSerializer(serializers.Serializer):
    person = serializers.IntegerField(help_text="id пользователя — работника организации")
    duty = serializers.ChoiceField(choices=ResponsiblePerson.Duty.choices)
    position = serializers.CharField(max_length=255)
    valid_from = serializers.DateField()


class ResponsibleEndSerializer(serializers.Serializer):
    valid_to = serializers.DateField(help_text="последний день обязанностей")


class AcknowledgementSerializer(serializers.ModelSerializer):
    person = PersonSerializer(read_only=True)
    recorded_by = PersonSerializer(read_only=True)
    version = serializers.CharField(source="version.number", read_only=True)
    kind = serializers.CharField(source="campaign.document.kind", read_only=True)

    class Meta:
        model = Acknowledgement
        fields = ["kind", "version", "person", "method", "acknowledged_on", "recorded_by", "recorded_at"]


class ProgressRowSerializer(serializers.Serializer):
    person = PersonSerializer()
    position = serializers.CharField(help_text="должность или роль")
    left = serializers.BooleanField(help_text="выбыл из организации после ознакомления")
    acknowledgement = AcknowledgementSerializer(allow_null=True)


class CampaignSerializer(serializers.Serializer):
    kind = serializers.CharField(source="campaign.document.kind")
    major = serializers.IntegerField(source="campaign.major")
    version = VersionSummarySerializer(help_text="версия, которую читают сейчас")
    open = serializers.SerializerMethodField()
    students = serializers.BooleanField(source="campaign.students")
    parents = serializers.BooleanField(source="campaign.parents")
    started_at = serializers.DateTimeField(source="campaign.started_at")
    done = serializers.IntegerField(help_text="ознакомлены из нынешнего круга")
    total = serializers.IntegerField(help_text="всего в нынешнем круге")

    def get_open(self, s) -> bool:
        return s.campaign.closed_at is None


class ProgressSerializer(CampaignSerializer):
    acknowledged = ProgressRowSerializer(many=True)
    pending = ProgressRowSerializer(many=True)


class PendingSerializer(serializers.Serializer):
    version = VersionSerializer(source="current", help_text="текст, с которым нужно ознакомиться")
    child = PersonSerializer(allow_null=True, help_text="ребёнок, за которого может отметить родитель")


class MineSerializer(serializers.Serializer):
    pending = PendingSerializer(many=True)
    acknowledged = AcknowledgementSerializer(many=True)


class AcknowledgeSerializer(serializers.Serializer):
    child = serializers.IntegerField(required=False, allow_null=True, help_text="id ребёнка, если отмечает родитель")


class PaperSerializer(serializers.Serializer):
    person = serializers.IntegerField(help_text="id пользователя из круга ознакомления")
    day = serializers.DateField(help_text="дата подписи на бумажном листе")


class TermsStateSerializer(serializers.Serializer):
    version = VersionSerializer(allow_null=True, help_text="соглашение в силе; null — его нет, никто не ограничен")
    accepted = serializers.BooleanField(help_text="принято ли соглашение этой редакции")


class TermsAcceptSerializer(serializers.Serializer):
    agree = serializers.BooleanField(help_text="принимаю пользовательское соглашение")
    personal_data_consent = serializers.BooleanField(help_text="даю согласие на обработку персональных данных")


class ForbiddenServiceSerializer(serializers.ModelSerializer):
    domains = serializers.ListField(child=serializers.CharField(), help_text="домены и ссылки сервиса: t.me, wa.me")
    name_forms = serializers.ListField(
        child=serializers.CharField(),
        help_text="формы названия: «телеграм», «телега»; до трёх букв — целое слово, длиннее — начало слова",
    )

    class Meta:
        model = ForbiddenService
        fields = ["id", "name", "domains", "name_forms", "enabled", "created_at", "updated_at"]
        read_only_fields = fields


class ForbiddenServiceWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    domains = serializers.ListField(
        child=serializers.CharField(max_length=100), max_length=MAX_ITEMS, required=False, default=list
    )
    name_forms = serializers.ListField(
        child=serializers.CharField(max_length=50), max_length=MAX_ITEMS, required=False, default=list
    )
    enabled = serializers.BooleanField(required=False, default=True)


class ForbiddenServicePatchSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False)
    domains = serializers.ListField(child=serializers.CharField(max_length=100), max_length=MAX_ITEMS, required=False)
    name_forms = serializers.ListField(child=serializers.CharField(max_length=50), max_length=MAX_ITEMS, required=False)
    enabled = serializers.BooleanField(required=False)
