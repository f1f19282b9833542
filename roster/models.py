import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from invites.models import Invite
from orgs.models import Group, Organisation
from portal.jobs import FileJob


class RosterKind(models.TextChoices):
    STUDENTS = "students", _("обучающиеся")
    STAFF = "staff", _("сотрудники")


class RosterImport(models.Model):
    """One uploaded file: its rows as read, the column mapping, the administrator's fixes, and the job's progress.

    The rows stay here until the import is applied, so the preview, the fixes and the job all work from the same
    data; applying is one transaction, and a done import is never applied twice.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("предпросмотр")
        QUEUED = "queued", _("в очереди")
        RUNNING = "running", _("выполняется")
        DONE = "done", _("выполнен")
        FAILED = "failed", _("не выполнен")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="roster_imports")
    kind = models.CharField(_("что загружено"), max_length=16, choices=RosterKind.choices)
    file_name = models.CharField(_("файл"), max_length=255)
    headers = models.JSONField(default=list)
    rows = models.JSONField(default=list)  # [[row number, [cells…]], …]
    mapping = models.JSONField(default=dict)  # field → column index
    fixes = models.JSONField(default=dict)  # "row number" → {field: value}
    create_classes = models.JSONField(default=list)  # class names the administrator agreed to create
    status = models.CharField(_("статус"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    total = models.PositiveIntegerField(_("строк"), default=0)
    done = models.PositiveIntegerField(_("обработано"), default=0)
    result = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)  # [{row, column, message, cells}] of the rows not applied
    last_error = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("загружен"), default=timezone.now)
    finished_at = models.DateTimeField(_("завершён"), null=True, blank=True)

    class Meta:
        verbose_name = _("импорт контингента")
        verbose_name_plural = _("импорт контингента")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Импорт №{self.pk}: {self.file_name}"


class RosterEntry(models.Model):
    """A person of the imported roster who may have no account yet. Their personal link (and, for a minor, the
    parent's link) is made with the entry; when they join by it, `user` is set and the entry is theirs."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="roster_entries")
    kind = models.CharField(_("кто"), max_length=16, choices=RosterKind.choices)
    key = models.CharField(max_length=400)  # the person's identity in the roster: normalised name (+ birth date)
    last_name = models.CharField(_("фамилия"), max_length=100)
    first_name = models.CharField(_("имя"), max_length=100)
    patronymic = models.CharField(_("отчество"), max_length=100, blank=True)
    birth_date = models.DateField(_("дата рождения"), null=True, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("телефон"), max_length=16, blank=True)
    group = models.ForeignKey(
        Group, on_delete=models.SET_NULL, null=True, blank=True, related_name="roster_entries", verbose_name=_("класс")
    )
    is_minor = models.BooleanField(_("несовершеннолетний"), default=False)
    parent_name = models.CharField(_("родитель"), max_length=300, blank=True)
    parent_contact = models.CharField(_("телефон или e-mail родителя"), max_length=254, blank=True)
    parent_relation = models.CharField(_("кем приходится"), max_length=100, blank=True)
    position = models.CharField(_("должность"), max_length=150, blank=True)
    subjects = models.CharField(_("предметы"), max_length=500, blank=True)
    classes_taught = models.CharField(_("классы"), max_length=500, blank=True)
    curator_of = models.CharField(_("классное руководство"), max_length=150, blank=True)
    invite = models.ForeignKey(Invite, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    parent_invite = models.ForeignKey(Invite, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="roster_entries"
    )
    source = models.ForeignKey(RosterImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="entries")
    created_at = models.DateTimeField(default=timezone.now)
    joined_at = models.DateTimeField(_("присоединился"), null=True, blank=True)

    class Meta:
        verbose_name = _("запись контингента")
        verbose_name_plural = _("записи контингента")
        ordering = ["last_name", "first_name", "patronymic", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "kind", "key"], name="roster_entry_unique_person"),
        ]
        indexes = [models.Index(fields=["invite"]), models.Index(fields=["parent_invite"])]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)


class ChildSignIn(models.Model):
    """A sign-in link a parent made for their young child's account (no phone or e-mail of the child's own).

    Single-use and short-lived; found by a keyed hash, so a database dump alone signs nobody in. A new one
    replaces the parent's earlier unused ones for that child.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    child = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("код входа ребёнка")
        verbose_name_plural = _("коды входа детей")
        indexes = [models.Index(fields=["child", "used_at"])]

    def __str__(self):
        return f"Вход для {self.child} от {self.created_at:%d.%m.%Y}"


def kit_print_path(instance, filename) -> str:
    # A random name: the file holds working links and is served only through a view that checks who asks.
    return f"roster/kits/{instance.organisation_id}/{uuid.uuid4().hex}.pdf"


class KitPrint(FileJob):
    """«Распечатать все комплекты»: one PDF with every class's invite cards of an import, printed by a background
    job, a class at a time (the classes side by side on a worker's processes), then put together in order.

    `sections` are the classes in print order (their ids; null: the links without a class); `parts` maps a
    section's position to its printed file, so that a job run again (after a worker died) prints only what is
    missing, and the file is put together once every part is there."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("в очереди")
        RUNNING = "running", _("печатается")
        DONE = "done", _("готов")
        FAILED = "failed", _("не удался")

    UNDER_WAY = (Status.QUEUED, Status.RUNNING)
    ERROR_FIELD, ERROR_MAX = "last_error", 500
    # A job not finished after this long lost its worker (or its broker): a new click starts another.
    STUCK_AFTER = timedelta(minutes=15)

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(RosterImport, on_delete=models.CASCADE, related_name="kit_prints")
    status = models.CharField(_("статус"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    sections = models.JSONField(default=list)
    parts = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(_("классов"), default=0)
    done = models.PositiveIntegerField(_("готово"), default=0)
    file = models.FileField(_("файл"), upload_to=kit_print_path, max_length=300, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("заказан"), default=timezone.now)
    finished_at = models.DateTimeField(_("готов"), null=True, blank=True)

    class Meta:
        verbose_name = _("комплекты приглашений импорта")
        verbose_name_plural = _("комплекты приглашений импорта")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Комплекты импорта №{self.source_id}: {self.done} из {self.total}"
