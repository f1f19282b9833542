from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .vocabulary import BY_KIND, Vocabulary

# Russia spans UTC+2 … UTC+12.
RUSSIAN_TIME_ZONES = [
    ("Europe/Kaliningrad", _("Калининград (UTC+2)")),
    ("Europe/Moscow", _("Москва (UTC+3)")),
    ("Europe/Samara", _("Самара (UTC+4)")),
    ("Asia/Yekaterinburg", _("Екатеринбург (UTC+5)")),
    ("Asia/Omsk", _("Омск (UTC+6)")),
    ("Asia/Krasnoyarsk", _("Красноярск (UTC+7)")),
    ("Asia/Irkutsk", _("Иркутск (UTC+8)")),
    ("Asia/Yakutsk", _("Якутск (UTC+9)")),
    ("Asia/Vladivostok", _("Владивосток (UTC+10)")),
    ("Asia/Magadan", _("Магадан (UTC+11)")),
    ("Asia/Kamchatka", _("Камчатка (UTC+12)")),
]


class OrganisationKind(models.TextChoices):
    SCHOOL = "school", _("общеобразовательная школа")
    COLLEGE = "college", _("профессиональная образовательная организация (СПО)")
    ADDITIONAL = "additional", _("организация дополнительного образования")
    KINDERGARTEN = "kindergarten", _("дошкольная образовательная организация")


class OrganisationProfile(models.Model):
    """The fields an organisation and an application for it share."""

    kind = models.CharField(_("тип организации"), max_length=16, choices=OrganisationKind.choices)
    full_name = models.CharField(_("полное наименование"), max_length=500)
    short_name = models.CharField(_("краткое наименование"), max_length=150)
    address = models.CharField(_("адрес"), max_length=500)
    region = models.CharField(_("субъект РФ"), max_length=150)
    municipality = models.CharField(_("муниципальное образование"), max_length=150)
    contact_phone = models.CharField(_("телефон организации"), max_length=32, blank=True)
    contact_email = models.EmailField(_("e-mail организации"), blank=True)
    website = models.URLField(_("сайт"), blank=True)
    time_zone = models.CharField(_("часовой пояс"), max_length=40, choices=RUSSIAN_TIME_ZONES, default="Europe/Moscow")

    class Meta:
        abstract = True


PROFILE_FIELDS = [f.name for f in OrganisationProfile._meta.local_fields]
APPLICANT_FIELDS = ["admin_last_name", "admin_first_name", "admin_patronymic", "admin_email", "admin_phone"]


class Organisation(OrganisationProfile):
    created_at = models.DateTimeField(_("создана"), default=timezone.now)
    is_active = models.BooleanField(_("действует"), default=True)
    # Entered by the administrator: the statistics show registered staff as a share of it.
    staff_headcount = models.PositiveIntegerField(
        _("численность сотрудников по штату"),
        null=True,
        blank=True,
        help_text=_("Сколько педагогов и сотрудников работает в организации; нужно для доли зарегистрированных."),
    )

    class Meta:
        verbose_name = _("организация")
        verbose_name_plural = _("организации")
        ordering = ["short_name", "id"]
        permissions = [
            ("view_org", "Видеть организацию"),
            ("manage_org", "Управлять профилем и структурой"),
            ("manage_admins", "Назначать администраторов"),
            ("verify_teachers", "Подтверждать педагогов"),
            ("invite_staff", "Приглашать сотрудников"),
            ("invite_members", "Приглашать обучающихся и родителей в любой класс"),
            ("view_members", "Видеть всех участников"),
            ("manage_movement", "Движение и импорт контингента"),
            ("create_chats", "Создавать чаты"),
            ("create_management_chats", "Создавать управленческие чаты"),
            ("post_system_channels", "Публиковать в системных каналах"),
            ("view_statistics", "Видеть статистику"),
            ("view_audit", "Видеть журнал действий"),
        ]

    def __str__(self):
        return self.short_name

    @property
    def vocabulary(self) -> Vocabulary:
        return BY_KIND[self.kind]


def order_upload_path(instance, filename):
    return f"registration-orders/{timezone.now():%Y/%m}/{filename}"


class RegistrationApplication(OrganisationProfile):
    """«Заявка на регистрацию» of an organisation, decided by the platform operator."""

    class Status(models.TextChoices):
        PENDING = "pending", _("на рассмотрении")
        APPROVED = "approved", _("одобрена")
        REJECTED = "rejected", _("отклонена")

    admin_last_name = models.CharField(_("фамилия администратора"), max_length=100)
    admin_first_name = models.CharField(_("имя администратора"), max_length=100)
    admin_patronymic = models.CharField(_("отчество администратора"), max_length=100, blank=True)
    admin_email = models.EmailField(_("e-mail администратора"))
    admin_phone = models.CharField(_("личный мобильный телефон администратора"), max_length=16)
    order_file = models.FileField(_("приказ о назначении администратора"), upload_to=order_upload_path)
    status = models.CharField(_("статус"), max_length=16, choices=Status.choices, default=Status.PENDING)
    submitted_at = models.DateTimeField(_("подана"), default=timezone.now)
    decided_at = models.DateTimeField(_("рассмотрена"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    rejection_reason = models.TextField(_("причина отказа"), blank=True)
    organisation = models.OneToOneField(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="application"
    )

    class Meta:
        verbose_name = _("заявка на регистрацию")
        verbose_name_plural = _("заявки на регистрацию")
        ordering = ["-submitted_at"]

    def __str__(self):
        return f"{self.short_name} ({self.get_status_display()})"

    @property
    def admin_full_name(self):
        return " ".join(p for p in (self.admin_last_name, self.admin_first_name, self.admin_patronymic) if p)


class AcademicYear(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="academic_years")
    name = models.CharField(_("учебный год"), max_length=20)
    starts_on = models.DateField(_("начало"))
    ends_on = models.DateField(_("окончание"))
    is_current = models.BooleanField(_("текущий"), default=False)

    class Meta:
        verbose_name = _("учебный год")
        verbose_name_plural = _("учебные годы")
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="academic_year_unique_name"),
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(is_current=True), name="academic_year_one_current"
            ),
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="academic_year_dates"),
        ]

    def __str__(self):
        return self.name


class Group(models.Model):
    """A unit of the structure: the staff group, a division, a class or study group, a club."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("педагогический коллектив")
        DIVISION = "division", _("подразделение")
        CLASS = "class", _("класс / учебная группа")
        CLUB = "club", _("объединение внеурочной деятельности")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="groups")
    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("название"), max_length=150)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("входит в")
    )
    academic_year = models.ForeignKey(
        AcademicYear, on_delete=models.PROTECT, null=True, blank=True, related_name="groups"
    )
    grade = models.PositiveSmallIntegerField(_("параллель"), null=True, blank=True)
    letter = models.CharField(_("литера"), max_length=15, blank=True)
    expected_size = models.PositiveSmallIntegerField(_("плановая наполняемость"), null=True, blank=True)
    is_archived = models.BooleanField(_("в архиве"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("группа")
        verbose_name_plural = _("группы")
        ordering = ["kind", "grade", "name", "id"]
        permissions = [
            ("invite_to_group", "Приглашать обучающихся и родителей"),
            ("approve_group_joins", "Подтверждать заявки в группу"),
            ("view_group_roster", "Видеть состав группы"),
            ("view_group_statistics", "Видеть статистику группы"),
            ("create_group_chats", "Создавать чаты группы"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(kind="staff"), name="group_one_staff_group_per_org"
            ),
            models.UniqueConstraint(
                fields=["organisation", "academic_year", "kind", "name"],
                condition=Q(is_archived=False),
                name="group_unique_active_name",
            ),
            # Divisions and clubs have no academic year, and NULLs never collide in the constraint above.
            models.UniqueConstraint(
                fields=["organisation", "kind", "name"],
                condition=Q(is_archived=False, academic_year__isnull=True),
                name="group_unique_active_name_without_year",
            ),
            models.CheckConstraint(
                condition=~Q(kind="class") | Q(academic_year__isnull=False), name="group_class_has_year"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "kind", "is_archived"])]

    def __str__(self):
        return self.name


class Membership(models.Model):
    """A person in an organisation in one role. Ended memberships are kept as history."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("администратор")
        TEACHER = "teacher", _("педагог")
        STUDENT = "student", _("обучающийся")
        PARENT = "parent", _("родитель (законный представитель)")

    class Position(models.TextChoices):
        NONE = "", _("—")
        DIRECTOR = "director", _("руководитель")
        DEPUTY = "deputy", _("заместитель руководителя")
        TEACHER = "teacher", _("педагог")
        METHODIST = "methodist", _("методист")
        PSYCHOLOGIST = "psychologist", _("педагог-психолог")
        SOCIAL = "social", _("социальный педагог")
        OTHER = "other", _("иной сотрудник")

    class Verification(models.TextChoices):
        NOT_REQUIRED = "not_required", _("не требуется")
        PENDING = "pending", _("не подтверждён")
        VERIFIED = "verified", _("подтверждён")
        REJECTED = "rejected", _("отклонён")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("роль"), max_length=16, choices=Role.choices)
    position = models.CharField(_("должность"), max_length=16, choices=Position.choices, blank=True, default="")
    valid_from = models.DateTimeField(_("с"), default=timezone.now)
    valid_to = models.DateTimeField(_("по"), null=True, blank=True)
    end_reason = models.CharField(_("основание окончания"), max_length=255, blank=True)
    verification = models.CharField(
        _("подтверждение"), max_length=16, choices=Verification.choices, default=Verification.NOT_REQUIRED
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_note = models.TextField(_("комментарий"), blank=True)

    class Meta:
        verbose_name = _("участник")
        verbose_name_plural = _("участники")
        ordering = ["organisation", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user", "role"],
                condition=Q(valid_to__isnull=True),
                name="membership_one_active_per_role",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "role", "valid_to"])]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} ({self.organisation})"

    @property
    def is_active(self):
        return self.valid_to is None

    @property
    def is_verified_teacher(self):
        return self.role == self.Role.TEACHER and self.verification == self.Verification.VERIFIED


class Placement(models.Model):
    """A student in a class. At most one open placement per student and organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="placements")
    student = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="placements")
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="placements")
    valid_from = models.DateTimeField(default=timezone.now)
    valid_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("зачисление в класс")
        verbose_name_plural = _("зачисления в классы")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "student"],
                condition=Q(valid_to__isnull=True),
                name="placement_one_class_per_student",
            ),
        ]

    def __str__(self):
        return f"{self.student} — {self.group}"


class CuratorAssignment(models.Model):
    """«Распределение кураторства»: one curator per class at a time."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="curatorships")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="curatorships")
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="curatorships")
    valid_from = models.DateTimeField(default=timezone.now)
    valid_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("кураторство")
        verbose_name_plural = _("кураторство")
        constraints = [
            models.UniqueConstraint(fields=["group"], condition=Q(valid_to__isnull=True), name="curator_one_per_group"),
        ]

    def __str__(self):
        return f"{self.group}: {self.teacher}"


class TeachingAssignment(models.Model):
    """A teacher teaches a subject in a class."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="teaching_assignments")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="teaching_assignments")
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="teaching")
    subject = models.CharField(_("предмет"), max_length=150)
    valid_from = models.DateTimeField(default=timezone.now)
    valid_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("учебная нагрузка")
        verbose_name_plural = _("учебная нагрузка")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "teacher", "subject"],
                condition=Q(valid_to__isnull=True),
                name="teaching_unique_active",
            ),
        ]

    def __str__(self):
        return f"{self.group}, {self.subject}: {self.teacher}"


class ParentLink(models.Model):
    """A parent (legal representative) of a student in the organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="parent_links")
    parent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="children_links")
    child = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="parent_links")
    valid_from = models.DateTimeField(default=timezone.now)
    valid_to = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("связь родитель — ребёнок")
        verbose_name_plural = _("связи родитель — ребёнок")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "parent", "child"],
                condition=Q(valid_to__isnull=True),
                name="parent_link_unique_active",
            ),
            models.CheckConstraint(condition=~Q(parent=models.F("child")), name="parent_link_not_self"),
        ]

    def __str__(self):
        return f"{self.parent} → {self.child}"


def admin_order_upload_path(instance, filename):
    return f"admin-orders/{timezone.now():%Y/%m}/{filename}"


class AdminAppointmentOrder(models.Model):
    """«Приказ о назначении администратора»: recorded when an administrator appoints another one (directly, or by an
    administrator's invite link, before anyone has redeemed it: then `membership` is still empty)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="admin_orders")
    membership = models.OneToOneField(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="appointment_order"
    )
    number = models.CharField(_("номер приказа"), max_length=50)
    date = models.DateField(_("дата приказа"))
    file = models.FileField(_("файл приказа"), upload_to=admin_order_upload_path, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(_("внесён"), default=timezone.now)

    class Meta:
        verbose_name = _("приказ о назначении администратора")
        verbose_name_plural = _("приказы о назначении администраторов")
        ordering = ["-recorded_at", "-id"]

    def __str__(self):
        return f"Приказ № {self.number} от {self.date:%d.%m.%Y}"


class AuditEntry(models.Model):
    """Append-only record of an administrative action."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="audit_entries"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    action = models.CharField(_("действие"), max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=255, blank=True)
    details = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("запись журнала")
        verbose_name_plural = _("журнал действий")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


# The movement models live in their own module; importing them here registers them with the app.
from .movement_models import Movement, OrgTransfer, Promotion  # noqa: E402, F401
