"""Serializers of the invites API. The organisation (for its time zone) and the link rights come in the context."""

import zoneinfo

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from chats.models import Chat
from orgs.api.serializers import MembershipSerializer, PersonSerializer
from orgs.models import Group, Organisation
from portal.api.fields import EnumField, IdField

from ..models import Invite, InviteMailing, InviteRole, JoinRequest, Redemption
from ..services.links import invite_url
from ..services.redeem import invite_state
from ..terms import join_terms

LOCAL_FORMAT = "%d.%m.%Y %H:%M"


def local_text(value, organisation: Organisation) -> str | None:
    """A moment as the organisation's people read it: «31.05.2026 18:00» on their own clock."""
    if value is None:
        return None
    return timezone.localtime(value, zoneinfo.ZoneInfo(organisation.time_zone)).strftime(LOCAL_FORMAT)


class GroupBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Group
        fields = ["id", "name"]


class ChatBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Chat
        fields = ["id", "title"]


class InviteSerializer(serializers.ModelSerializer):
    role = EnumField(InviteRole.choices, enum_name="InviteRoleEnum", read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    target_group = GroupBriefSerializer(read_only=True, allow_null=True)
    target_chat = ChatBriefSerializer(read_only=True, allow_null=True)
    created_by = PersonSerializer(read_only=True)
    bound_student = PersonSerializer(read_only=True, allow_null=True)
    recipient = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    status_display = serializers.SerializerMethodField()
    expires_at_local = serializers.SerializerMethodField()
    time_zone = serializers.SerializerMethodField()
    join_terms = serializers.SerializerMethodField()
    link = serializers.SerializerMethodField()

    class Meta:
        model = Invite
        fields = [
            "id",
            "role",
            "role_display",
            "target_group",
            "target_chat",
            "created_by",
            "recipient",
            "bound_student",
            "max_uses",
            "use_count",
            "status",
            "status_display",
            "status_note",
            "expires_at",
            "expires_at_local",
            "time_zone",
            "requires_approval",
            "join_terms",
            "relayed_from",
            "created_at",
            "link",
        ]
        read_only_fields = fields

    def get_join_terms(self, obj) -> str:
        """What happens to whoever follows the link: «сразу» or who decides, as the invite's page says."""
        return str(join_terms(obj, self.context["organisation"]))

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_recipient(self, obj) -> dict:
        return {"name": obj.recipient_name, "email": obj.recipient_email, "phone": obj.recipient_phone}

    @extend_schema_field(EnumField(Invite.Status.choices, enum_name="InviteStatusEnum"))
    def get_status(self, obj) -> str:
        return invite_state(obj, now=self.context.get("now"))

    def get_status_display(self, obj) -> str:
        return str(Invite.Status(self.get_status(obj)).label)

    def get_expires_at_local(self, obj) -> str:
        return local_text(obj.expires_at, self.context["organisation"])

    def get_time_zone(self, obj) -> str:
        return self.context["organisation"].time_zone

    def get_link(self, obj) -> str | None:
        """The working link, only for whoever may manage the invite (its author or an administrator)."""
        user = self.context["request"].user
        if self.context.get("manages_all") or obj.created_by_id == user.pk:
            return invite_url(obj)
        return None


class RedemptionSerializer(serializers.ModelSerializer):
    person = PersonSerializer(source="user", read_only=True)
    created_at_local = serializers.SerializerMethodField()
    via_invite = serializers.IntegerField(source="invite_id", read_only=True)
    via_person = PersonSerializer(source="invite.created_by", read_only=True)

    class Meta:
        model = Redemption
        fields = ["id", "person", "created_at", "created_at_local", "ip_address", "via_invite", "via_person"]
        read_only_fields = fields

    def get_created_at_local(self, obj) -> str:
        return local_text(obj.created_at, self.context["organisation"])


class InviteDetailSerializer(InviteSerializer):
    redemptions = serializers.SerializerMethodField()

    class Meta(InviteSerializer.Meta):
        fields = [*InviteSerializer.Meta.fields, "redemptions"]
        read_only_fields = fields

    @extend_schema_field(RedemptionSerializer(many=True))
    def get_redemptions(self, obj):
        return RedemptionSerializer(self.context.get("redemptions", []), many=True, context=self.context).data


class InviteCreateSerializer(serializers.Serializer):
    role = EnumField(InviteRole.choices, enum_name="InviteRoleEnum")
    target_group = IdField(required=False, allow_null=True, help_text="класс; для педагогов не указывается")
    target_chat = IdField(
        required=False,
        allow_null=True,
        help_text="чат (вида «другой» или чат руководителя): ссылка для тех, кто уже состоит в организации "
        "в этой роли; класс, ребёнок и одобрение тогда не указываются",
    )
    max_uses = serializers.IntegerField(
        min_value=1,
        max_value=100_000,
        required=False,
        allow_null=True,
        default=1,
        help_text="null — без ограничения числа использований",
    )
    expires_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="по умолчанию — срок из правил организации для роли"
    )
    recipient_name = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    recipient_email = serializers.EmailField(required=False, allow_blank=True, default="")
    recipient_phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    bound_student = IdField(required=False, allow_null=True, help_text="ребёнок (для приглашения родителя)")
    requires_approval = serializers.BooleanField(required=False, default=False)


class AdminLinkSerializer(serializers.Serializer):
    order_number = serializers.CharField(max_length=50, help_text="номер приказа о назначении администратора")
    order_date = serializers.DateField(help_text="дата приказа")
    order_file = serializers.FileField(required=False, allow_null=True, help_text="приказ: PDF, JPEG или PNG")
    recipient_name = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    recipient_email = serializers.EmailField(required=False, allow_blank=True, default="")
    recipient_phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    expires_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="по умолчанию и не дольше — срок из правил организации (часы)"
    )


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RelaySerializer(serializers.Serializer):
    max_uses = serializers.IntegerField(min_value=1, max_value=100_000, required=False, allow_null=True)
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class RevokeAllSerializer(serializers.Serializer):
    group = IdField(required=False, allow_null=True, help_text="только ссылки в этот класс")
    creator = IdField(required=False, allow_null=True, help_text="только ссылки этого автора")


class RevokeAllResultSerializer(serializers.Serializer):
    revoked = serializers.IntegerField(help_text="сколько ссылок отозвано")


class NameListField(serializers.ListField):
    """A list of names whose errors read «Строка 3: …», one flat list of messages for the field."""

    def run_child_validation(self, data):
        try:
            return super().run_child_validation(data)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError(
                [
                    _("Строка %(number)s: %(message)s") % {"number": index + 1, "message": message}
                    for index, messages in exc.detail.items()
                    for message in messages
                ]
            ) from None


class BulkSerializer(serializers.Serializer):
    group = IdField(help_text="класс")
    student_names = NameListField(
        child=serializers.CharField(max_length=300, allow_blank=True),
        required=False,
        default=list,
        max_length=200,
        help_text="ФИО обучающихся: по одной личной ссылке на каждого; пустые строки пропускаются",
    )
    parents = serializers.BooleanField(
        required=False, default=False, help_text="по ссылке родителям каждого обучающегося класса"
    )
    expires_at = serializers.DateTimeField(required=False, allow_null=True)


class BulkResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    invites = InviteSerializer(many=True)


class ChildChoiceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class InvitePreviewSerializer(serializers.Serializer):
    organisation = serializers.CharField(help_text="краткое наименование организации")
    target = serializers.CharField(help_text="куда приглашают: класс, «Учительская» или чат")
    chat = serializers.CharField(allow_null=True, help_text="название чата, если ссылка — приглашение в чат")
    role = EnumField(InviteRole.choices, enum_name="InviteRoleEnum")
    role_display = serializers.CharField(help_text="роль по-русски")
    invited_by = serializers.CharField(help_text="кто пригласил")
    expires_at = serializers.DateTimeField()
    expires_at_local = serializers.CharField()
    time_zone = serializers.CharField()
    status = EnumField(Invite.Status.choices, enum_name="InviteStatusEnum")
    status_display = serializers.CharField()
    requires_approval = serializers.BooleanField()
    child_required = serializers.BooleanField(
        help_text="родителю нужно выбрать ребёнка из списка класса (группы) или указать его фамилию и имя "
        "(child_name); false и для ссылки родителя ребёнка из загруженного списка без учётной записи: "
        "её создаст присоединение"
    )
    children = ChildChoiceSerializer(many=True, help_text="обучающиеся класса (группы) — только вошедшему пользователю")


class RedeemSerializer(serializers.Serializer):
    child = IdField(required=False, allow_null=True, help_text="id ребёнка (для родителя, если ссылка не личная)")
    child_name = serializers.CharField(
        max_length=300,
        required=False,
        allow_blank=True,
        default="",
        help_text="фамилия и имя ребёнка, если его нет в списке класса: заявку подтвердит куратор класса",
    )


class SignupCodeSerializer(serializers.Serializer):
    login = serializers.CharField(max_length=254, help_text="телефон (+79…) или e-mail: на него придёт код")


class SignupSerializer(serializers.Serializer):
    login = serializers.CharField(max_length=254, help_text="тот же телефон или e-mail, что в запросе кода")
    code = serializers.RegexField(r"^\d{6}$", help_text="шесть цифр из сообщения")
    last_name = serializers.CharField(max_length=100)
    first_name = serializers.CharField(max_length=100)
    patronymic = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    password = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text="необязательно: без пароля вход по одноразовому коду",
    )


class SignupResultSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="токен API: заголовок Authorization: Token …")
    created = serializers.BooleanField(help_text="учётная запись создана сейчас (false — она уже была)")


class ApproveSerializer(serializers.Serializer):
    child = IdField(
        required=False,
        allow_null=True,
        help_text="для заявки родителя без ребёнка: id ребёнка из класса, которого выбирает тот, кто одобряет",
    )


class JoinRequestSerializer(serializers.ModelSerializer):
    role = EnumField(InviteRole.choices, enum_name="InviteRoleEnum", read_only=True)
    status = EnumField(JoinRequest.Status.choices, enum_name="JoinRequestStatusEnum", read_only=True)
    person = PersonSerializer(source="user", read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    group = GroupBriefSerializer(read_only=True, allow_null=True)
    child = PersonSerializer(read_only=True, allow_null=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    decided_by = PersonSerializer(read_only=True, allow_null=True)
    created_at_local = serializers.SerializerMethodField()

    class Meta:
        model = JoinRequest
        fields = [
            "id",
            "person",
            "role",
            "role_display",
            "group",
            "child",
            "child_name",
            "invite",
            "message",
            "status",
            "status_display",
            "created_at",
            "created_at_local",
            "decided_at",
            "decided_by",
            "reason",
        ]
        read_only_fields = fields

    def get_created_at_local(self, obj) -> str:
        return local_text(obj.created_at, self.context.get("organisation") or obj.organisation)


class OwnJoinRequestSerializer(serializers.ModelSerializer):
    """An applicant's own pending request: where, since when, who decides. The child as the applicant named it."""

    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    organisation_name = serializers.CharField(source="organisation.short_name", read_only=True)
    role = EnumField(InviteRole.choices, enum_name="InviteRoleEnum", read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    group = GroupBriefSerializer(read_only=True, allow_null=True)
    child = serializers.SerializerMethodField(help_text="ребёнок: фамилия и первая буква имени или имя, как вписано")
    status = EnumField(JoinRequest.Status.choices, enum_name="JoinRequestStatusEnum", read_only=True)
    created_at_local = serializers.SerializerMethodField()
    deciders = serializers.CharField(read_only=True, help_text="кто рассматривает заявку")

    class Meta:
        model = JoinRequest
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "role",
            "role_display",
            "group",
            "child",
            "status",
            "created_at",
            "created_at_local",
            "deciders",
        ]
        read_only_fields = fields

    def get_child(self, obj) -> str:
        if obj.child is not None:
            return f"{obj.child.last_name} {obj.child.first_name[:1]}.".strip()
        return obj.child_name

    def get_created_at_local(self, obj) -> str:
        return local_text(obj.created_at, obj.organisation)


class JoinRequestReceiptSerializer(serializers.Serializer):
    """What an applicant gets back: their request as they sent it. They are not a member yet, so nothing here comes
    from the organisation's rows: no names, and no sign of whether the child they named studies in the class."""

    role = EnumField(InviteRole.choices, enum_name="InviteRoleEnum")
    role_display = serializers.CharField()
    group = serializers.IntegerField(allow_null=True, help_text="id класса, как указан в заявке")
    child = serializers.IntegerField(
        allow_null=True, help_text="id ребёнка, как указан в заявке; проверяет тот, кто рассматривает заявку"
    )
    message = serializers.CharField(allow_blank=True)
    status = EnumField(JoinRequest.Status.choices, enum_name="JoinRequestStatusEnum")
    status_display = serializers.CharField()
    detail = serializers.CharField()


def join_request_receipt(join_request: JoinRequest, *, child_id: int | None) -> dict:
    """The receipt of a pending request; the child is the id the applicant typed, whatever was found for it."""
    return {
        "role": join_request.role,
        "role_display": join_request.get_role_display(),
        "group": join_request.group_id,
        "child": child_id,
        "message": join_request.message,
        "status": join_request.status,
        "status_display": join_request.get_status_display(),
        "detail": _("Заявка отправлена и ждёт рассмотрения; о решении вам придёт письмо."),
    }


class JoinRequestCreateSerializer(serializers.Serializer):
    role = EnumField(InviteRole.choices, enum_name="InviteRoleEnum")
    group = IdField(required=False, allow_null=True, help_text="класс (для обучающегося и родителя)")
    child = IdField(
        required=False,
        allow_null=True,
        help_text="id ребёнка из этого класса (для родителя); учится ли он в классе, проверяет тот, кто рассматривает "
        "заявку, — ответ этого не сообщает",
    )
    message = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RedeemResultSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[("joined", "вступил"), ("already", "уже участник"), ("requested", "заявка отправлена")]
    )
    message = serializers.CharField()
    organisation = serializers.IntegerField()
    chat = serializers.IntegerField(allow_null=True, help_text="id чата, если ссылка — приглашение в чат")
    membership = MembershipSerializer(allow_null=True)
    join_request = JoinRequestReceiptSerializer(allow_null=True)


class OrganisationSearchSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "short_name", "full_name", "municipality", "region", "kind"]
        read_only_fields = fields


class KitQuerySerializer(serializers.Serializer):
    group = IdField(help_text="класс (группа), для которого печатается комплект")
    status = serializers.ChoiceField(
        choices=Invite.Status.choices, required=False, default=Invite.Status.ACTIVE, help_text="статус сейчас"
    )
    role = serializers.ChoiceField(
        choices=InviteRole.choices, required=False, help_text="только ссылки этой роли (например, родителям)"
    )


class CardsQuerySerializer(serializers.Serializer):
    copies = serializers.IntegerField(
        min_value=1,
        max_value=40,
        required=False,
        default=1,
        help_text="сколько одинаковых карточек общей ссылки напечатать (1–40); личная ссылка печатается один раз",
    )


class ExportQuerySerializer(serializers.Serializer):
    format = serializers.ChoiceField(
        choices=[("csv", "CSV (UTF-8, «;»)"), ("xlsx", "XLSX")], required=False, default="csv", help_text="формат файла"
    )


class MailingCreateSerializer(serializers.Serializer):
    invites = serializers.ListField(
        child=IdField(),
        min_length=1,
        max_length=1000,
        help_text="id ссылок-приглашений; письма уйдут тем, у кого есть e-mail",
    )


class MailingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    status = EnumField(InviteMailing.Status.choices, enum_name="InviteMailingStatusEnum")
    status_display = serializers.CharField()
    total = serializers.IntegerField(help_text="сколько приглашений в рассылке")
    sent = serializers.IntegerField(help_text="писем отправлено")
    failed = serializers.IntegerField(help_text="не удалось отправить (будут повторены при новом запуске)")
    skipped = serializers.IntegerField(help_text="пропущено: нет e-mail или ссылка уже не действует")
    handled = serializers.IntegerField()
    percent = serializers.IntegerField(help_text="готовность, %")
    finished = serializers.BooleanField()
    text = serializers.CharField(help_text="«отправлено 12 из 30», как на странице")
    last_error = serializers.CharField(allow_blank=True)
