"""Usage statistics: generic count tables filled by jobs, their fill state, and the per-user daily activity.

Modelled on Zulip's analytics: an indicator (see `registry.py`) writes the rows of one bucket — one organisation's
local day — and nothing else; the dashboard reads only these tables.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import Group, Organisation
from portal.jobs import FileJob

# The count tables are derived from the source tables and written tens of thousands of rows a day: their foreign
# keys are not checked by the database (each check would cost a look-up at every commit of a fill), only by Django,
# which deletes them with the organisation, class or person they belong to.
DERIVED = {"on_delete": models.CASCADE, "related_name": "+", "db_constraint": False}
# Every index of these tables begins with the organisation: a separate one on it would only slow the writes.
DERIVED_ORG = {**DERIVED, "db_index": False}


class OrgDayCount(models.Model):
    """The value of one indicator's subgroup for an organisation on one of its local days."""

    organisation = models.ForeignKey(Organisation, **DERIVED_ORG)
    indicator = models.CharField(max_length=64)
    subgroup = models.CharField(max_length=96, default="")
    day = models.DateField()
    value = models.BigIntegerField()

    class Meta:
        verbose_name = _("показатель организации за день")
        verbose_name_plural = _("показатели организаций за день")
        # One index, the unique one, which also serves every read (an organisation's indicator over days): each
        # index more is written again for each of a fill's tens of thousands of rows.
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "indicator", "day", "subgroup"], name="org_day_count_bucket"
            ),
        ]

    def __str__(self):
        return f"{self.indicator} {self.subgroup} {self.day}: {self.value}"


class ClassDayCount(models.Model):
    """The value of one indicator's subgroup for a class on its organisation's local day."""

    organisation = models.ForeignKey(Organisation, **DERIVED_ORG)
    group = models.ForeignKey(Group, **DERIVED)
    indicator = models.CharField(max_length=64)
    subgroup = models.CharField(max_length=96, default="")
    day = models.DateField()
    value = models.BigIntegerField()

    class Meta:
        verbose_name = _("показатель класса за день")
        verbose_name_plural = _("показатели классов за день")
        # The unique index serves the reads too (a class belongs to one organisation, so this is one row per class,
        # indicator, day and subgroup); the class's own index is for deleting a class.
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "indicator", "day", "group", "subgroup"], name="class_day_count_bucket"
            ),
        ]

    def __str__(self):
        return f"{self.indicator} {self.group_id} {self.subgroup} {self.day}: {self.value}"


class FillState(models.Model):
    """How far an indicator is filled for an organisation: every local day up to `last_filled_day` is written.

    A bucket is written in one transaction together with this row, so a crash leaves either the whole day or
    none of it, and the next run starts from the first day not written."""

    indicator = models.CharField(max_length=64)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    last_filled_day = models.DateField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("состояние расчёта")
        verbose_name_plural = _("состояние расчёта")
        constraints = [models.UniqueConstraint(fields=["indicator", "organisation"], name="fill_state_one_per_org")]

    def __str__(self):
        return f"{self.indicator} {self.organisation_id}: {self.last_filled_day}"


class DirtyDay(models.Model):
    """A day already filled whose source data changed afterwards (a backdated change): to be recounted."""

    indicator = models.CharField(max_length=64)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("день к пересчёту")
        verbose_name_plural = _("дни к пересчёту")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "organisation", "day"], name="dirty_day_once"),
        ]

    def __str__(self):
        return f"{self.indicator} {self.organisation_id} {self.day}"


class Lease(models.Model):
    """A named lease taken by a conditional UPDATE (… WHERE lease_until < now): one filler at a time, and a crashed
    holder's lease simply runs out."""

    name = models.CharField(max_length=64, unique=True)
    holder = models.CharField(max_length=64, blank=True)
    lease_until = models.DateTimeField()

    class Meta:
        verbose_name = _("блокировка расчёта")
        verbose_name_plural = _("блокировки расчёта")

    def __str__(self):
        return f"{self.name}: {self.holder} до {self.lease_until}"


class Presence(models.Model):
    """«Был на портале»: a person opened the portal on this local day of the organisation. At most one row a day."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()

    class Meta:
        verbose_name = _("отметка посещения")
        verbose_name_plural = _("отметки посещений")
        constraints = [models.UniqueConstraint(fields=["organisation", "user", "day"], name="presence_once_a_day")]
        indexes = [models.Index(fields=["organisation", "day"])]

    def __str__(self):
        return f"{self.user_id} {self.organisation_id} {self.day}"


class UserDay(models.Model):
    """One person's activity in an organisation on one local day, built by the `user_days` indicator.

    Weekly and monthly active users are distinct counts over these rows, never sums of daily counts."""

    # Bits of `roles`: the roles the person held in the organisation at the end of the day.
    ADMIN, TEACHER, STUDENT, PARENT = 1, 2, 4, 8
    ROLE_BITS = {"admin": ADMIN, "teacher": TEACHER, "student": STUDENT, "parent": PARENT}

    organisation = models.ForeignKey(Organisation, **DERIVED_ORG)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, **DERIVED)
    day = models.DateField()
    roles = models.PositiveSmallIntegerField(default=0)
    present = models.BooleanField(default=False)
    took_part = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("активность участника за день")
        verbose_name_plural = _("активность участников за день")
        constraints = [models.UniqueConstraint(fields=["organisation", "user", "day"], name="user_day_once")]
        indexes = [models.Index(fields=["organisation", "day"])]

    def __str__(self):
        return f"{self.user_id} {self.organisation_id} {self.day}"

    @classmethod
    def roles_sql(cls, role_column: str) -> str:
        """The SQL aggregate of `roles` over membership rows grouped by person: the bits of their roles summed
        once each (a role held twice counts once)."""
        bits = " ".join(f"WHEN '{role}' THEN {bit}" for role, bit in cls.ROLE_BITS.items())
        return f"SUM(DISTINCT CASE {role_column} {bits} ELSE 0 END)"


class LastActive(models.Model):
    """One person's last local day in an organisation in each sense and role, as of the organisation's
    `LastActiveAsOf.day`: «present» is any UserDay row (they opened the portal or took part), «took part» a row of a
    day they posted or voted; a role's day is the last day they had a row while holding that role (at the day's end).

    The weekly and monthly distinct counts count the people whose last day falls in each window, instead of
    grouping a month of UserDay rows every day. Only people active within the longest window are kept."""

    # The key is the pair itself: no other index to keep up at each of the day's tens of thousands of upserts.
    pk = models.CompositePrimaryKey("organisation", "user")
    organisation = models.ForeignKey(Organisation, **DERIVED_ORG)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, **DERIVED)
    present = models.DateField()
    took_part = models.DateField(null=True)
    admin = models.DateField(null=True)
    admin_took_part = models.DateField(null=True)
    teacher = models.DateField(null=True)
    teacher_took_part = models.DateField(null=True)
    student = models.DateField(null=True)
    student_took_part = models.DateField(null=True)
    parent = models.DateField(null=True)
    parent_took_part = models.DateField(null=True)

    class Meta:
        verbose_name = _("последние дни активности участника")
        verbose_name_plural = _("последние дни активности участников")

    def __str__(self):
        return f"{self.user_id} {self.organisation_id}: {self.present}"


class LastActiveAsOf(models.Model):
    """The day an organisation's LastActive rows describe: they are advanced from that day's UserDay rows when the
    next day is filled, and this row is deleted whenever UserDay rows of a day up to it are written again (a
    recount, a backfill), so that the next count rebuilds them from the month's rows."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, primary_key=True, related_name="+")
    day = models.DateField()

    class Meta:
        verbose_name = _("день последних дней активности")
        verbose_name_plural = _("дни последних дней активности")

    def __str__(self):
        return f"{self.organisation_id}: {self.day}"


def report_path(instance, filename) -> str:
    # A random name: the file is served only through a view that checks who asks, and its path tells nothing.
    owner = instance.organisation_id if instance.area_id is None else f"area-{instance.area_id}"
    return f"stats/reports/{owner}/{uuid.uuid4().hex}.pdf"


class MonthlyReport(FileJob):
    """The printable report of one month: one row per organisation (or per area: the municipality's table), month and
    kind.

    A new request for the same month regenerates the file and replaces it (a director expects one report per
    month, the latest); until the new file is stored, the previous one stays downloadable."""

    class Kind(models.TextChoices):
        ORGANISATION = "organisation", _("отчёт организации")
        AREA = "area", _("отчёт муниципалитета")

    class Status(models.TextChoices):
        PENDING = "pending", _("готовится")
        READY = "ready", _("готов")
        FAILED = "failed", _("не сформирован")

    UNDER_WAY = (Status.PENDING,)
    # A report still pending after this long lost its worker (a restart): it may be queued again.
    STARTED_FIELD, STUCK_AFTER = "requested_at", timedelta(hours=1)

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    area = models.ForeignKey(
        "Area", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("муниципалитет")
    )
    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices, default=Kind.ORGANISATION)
    month = models.DateField(_("месяц"), help_text=_("первый день месяца"))
    status = models.CharField(_("состояние"), max_length=16, choices=Status.choices, default=Status.PENDING)
    error = models.TextField(_("почему не сформирован"), blank=True)
    file = models.FileField(_("файл"), upload_to=report_path, max_length=300, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("размер, байт"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("заказал"),
        help_text=_("пусто: сформирован по расписанию"),
    )
    requested_at = models.DateTimeField(_("заказан"), default=timezone.now)
    generated_at = models.DateTimeField(_("сформирован"), null=True, blank=True)
    created_at = models.DateTimeField(_("создан"), default=timezone.now)

    class Meta:
        verbose_name = _("ежемесячный отчёт")
        verbose_name_plural = _("ежемесячные отчёты")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "month", "kind"], name="monthly_report_once"),
            models.UniqueConstraint(
                fields=["area", "month"], condition=models.Q(area__isnull=False), name="monthly_report_once_per_area"
            ),
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False, area__isnull=True, kind="organisation")
                | models.Q(organisation__isnull=True, area__isnull=False, kind="area"),
                name="monthly_report_of_organisation_or_area",
            ),
        ]

    def __str__(self):
        owner = self.organisation_id if self.area_id is None else f"area {self.area_id}"
        return f"{owner} {self.month:%Y-%m} {self.kind}: {self.status}"


class Area(models.Model):
    """«Муниципалитет»: a municipality of a region. Its organisations are those whose profile names the same region
    and municipality, compared without regard to case, spaces and «ё» (`area_key`)."""

    region = models.CharField(_("субъект РФ"), max_length=150)
    municipality = models.CharField(_("муниципальное образование"), max_length=150)
    region_key = models.CharField(max_length=150, editable=False)
    municipality_key = models.CharField(max_length=150, editable=False)
    created_at = models.DateTimeField(_("создан"), default=timezone.now)

    class Meta:
        verbose_name = _("муниципалитет")
        verbose_name_plural = _("муниципалитеты")
        ordering = ["region", "municipality"]
        constraints = [
            models.UniqueConstraint(fields=["region_key", "municipality_key"], name="area_once_per_municipality"),
        ]

    def __str__(self):
        return f"{self.municipality}, {self.region}"


class AreaMethodologist(models.Model):
    """«Методист муниципалитета»: reads the statistics of every organisation of the area, nothing else of them.
    Attached by the platform operator; not a member of any organisation."""

    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, related_name="methodologists", verbose_name=_("муниципалитет")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("пользователь")
    )
    created_at = models.DateTimeField(_("назначен"), default=timezone.now)

    class Meta:
        verbose_name = _("методист муниципалитета")
        verbose_name_plural = _("методисты муниципалитетов")
        constraints = [models.UniqueConstraint(fields=["area", "user"], name="area_methodologist_once")]

    def __str__(self):
        return f"{self.user} — {self.area}"


class Targets(models.Model):
    """Target weekly-active shares (%) of an organisation or of an area; an empty value keeps the one above it
    (organisation → its area → the regional default)."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    area = models.OneToOneField(Area, on_delete=models.CASCADE, null=True, blank=True, related_name="targets")
    staff = models.PositiveSmallIntegerField(_("педагоги и сотрудники, %"), null=True, blank=True)
    students = models.PositiveSmallIntegerField(_("обучающиеся, %"), null=True, blank=True)
    parents = models.PositiveSmallIntegerField(_("родители, %"), null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("целевые значения")
        verbose_name_plural = _("целевые значения")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=True, area__isnull=False)
                | models.Q(organisation__isnull=False, area__isnull=True),
                name="targets_of_organisation_or_area",
            ),
            *(
                models.CheckConstraint(
                    condition=models.Q(**{f"{key}__isnull": True}) | models.Q(**{f"{key}__lte": 100}),
                    name=f"targets_{key}_at_most_100",
                )
                for key in ("staff", "students", "parents")
            ),
        ]

    def __str__(self):
        return str(self.organisation or self.area)
