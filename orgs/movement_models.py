"""«Движение обучающихся и педагогических работников»: the person's history, the year-end promotion, and the
transfer of a person to another organisation of the portal."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AcademicYear, Group, Membership, Organisation


class Movement(models.Model):
    """One step of a person's history in an organisation. Append-only, written by the movement services."""

    class Kind(models.TextChoices):
        ENROL = "enrol", _("зачисление")
        TRANSFER = "transfer", _("перевод в другой класс")
        PROMOTE = "promote", _("перевод на следующий год")
        TRANSFER_OUT = "transfer_out", _("перевод в другую организацию")
        TRANSFER_IN = "transfer_in", _("приём переводом из другой организации")
        EXPEL = "expel", _("отчисление")
        GRADUATE = "graduate", _("выпуск")
        HIRE = "hire", _("приём на работу")
        DISMISS = "dismiss", _("увольнение")
        POSITION = "position", _("изменение должности")
        LEFT = "left", _("завершение участия")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="movements")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="movements")
    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices)
    role = models.CharField(_("роль"), max_length=16, choices=Membership.Role.choices, blank=True)
    reason = models.CharField(_("основание"), max_length=255, blank=True)
    from_group = models.ForeignKey(Group, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    to_group = models.ForeignKey(Group, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Names as they were at the time: a class renamed by the next promotion keeps its old name here.
    from_name = models.CharField(_("откуда"), max_length=300, blank=True)
    to_name = models.CharField(_("куда"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("когда"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("движение")
        verbose_name_plural = _("движение")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "user", "-created_at"])]

    def __str__(self):
        return f"{self.user}: {self.get_kind_display()}"


def movement_kind_label(kind: str, organisation) -> str:
    """The kind as the organisation says it: «перевод в другую группу» where a study group is not a «класс»."""
    if kind == Movement.Kind.TRANSFER and not organisation.vocabulary.is_class:
        return str(_("перевод в другую группу"))
    return str(Movement.Kind(kind).label)


class Promotion(models.Model):
    """«Перевод на следующий учебный год» of a whole organisation: the confirmed plan, the job's progress, the report.

    One per year it starts from: confirming it again, or running its job again, changes nothing.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("в очереди")
        RUNNING = "running", _("выполняется")
        DONE = "done", _("выполнен")
        FAILED = "failed", _("не выполнен")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="promotions")
    from_year = models.ForeignKey(AcademicYear, on_delete=models.PROTECT, related_name="promotions_from")
    to_year = models.ForeignKey(
        AcademicYear, on_delete=models.PROTECT, null=True, blank=True, related_name="promotions_to"
    )
    to_year_name = models.CharField(_("новый учебный год"), max_length=20)
    plan = models.JSONField(_("план"), default=list)
    report = models.JSONField(_("отчёт"), default=dict, blank=True)
    status = models.CharField(_("статус"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(_("классов"), default=0)
    done = models.PositiveIntegerField(_("обработано"), default=0)
    error = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("перевод на следующий учебный год")
        verbose_name_plural = _("переводы на следующий учебный год")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "from_year"], name="promotion_once_per_year"),
        ]

    def __str__(self):
        return f"{self.from_year} → {self.to_year_name}"


class OrgTransfer(models.Model):
    """A person leaves for another organisation of the portal; the receiving administrator accepts or refuses."""

    class Status(models.TextChoices):
        PENDING = "pending", _("ожидает решения")
        ACCEPTED = "accepted", _("принят")
        REJECTED = "rejected", _("отказано")
        CANCELLED = "cancelled", _("отменён")

    source = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="transfers_out")
    target = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="transfers_in")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("роль"), max_length=16, choices=Membership.Role.choices)
    from_group_name = models.CharField(_("класс в прежней организации"), max_length=150, blank=True)
    reason = models.CharField(_("основание"), max_length=255, blank=True)
    status = models.CharField(_("статус"), max_length=16, choices=Status.choices, default=Status.PENDING)
    to_group = models.ForeignKey(Group, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("комментарий"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("перевод в другую организацию")
        verbose_name_plural = _("переводы в другие организации")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "user", "role"], condition=Q(status="pending"), name="org_transfer_one_pending"
            ),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="org_transfer_other_org"),
        ]

    def __str__(self):
        return f"{self.user}: {self.source} → {self.target}"
