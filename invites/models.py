from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import Group, Organisation


class InviteRole(models.TextChoices):
    TEACHER = "teacher", _("педагог")
    STUDENT = "student", _("обучающийся")
    PARENT = "parent", _("родитель (законный представитель)")
    CURATOR = "curator", _("классный руководитель (куратор)")
    ADMIN = "admin", _("администратор")


# The roles a person may ask for without a link; curators and administrators are only ever appointed.
REQUESTABLE_ROLES = (InviteRole.TEACHER, InviteRole.STUDENT, InviteRole.PARENT)
# Links that make a member of the staff (they join the staff group).
STAFF_ROLES = (InviteRole.TEACHER, InviteRole.CURATOR, InviteRole.ADMIN)


class InvitePolicy(models.Model):
    """An organisation's rules for links: default lifetime per role, the maximum, the «unused» limit."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="invite_policy")
    teacher_days = models.PositiveSmallIntegerField(_("срок ссылки для педагогов, дней"), default=3)
    student_days = models.PositiveSmallIntegerField(_("срок ссылки для обучающихся, дней"), default=14)
    parent_days = models.PositiveSmallIntegerField(_("срок ссылки для родителей, дней"), default=30)
    max_days = models.PositiveSmallIntegerField(_("наибольший срок ссылки, дней"), default=90)
    unused_days = models.PositiveSmallIntegerField(_("аннулировать невостребованные ссылки через, дней"), default=7)
    leak_margin = models.PositiveSmallIntegerField(_("запас переходов сверх состава класса"), default=5)
    leak_spike_uses = models.PositiveSmallIntegerField(
        _("переходов за окно всплеска, после которых ссылка приостанавливается"), default=40
    )
    leak_spike_minutes = models.PositiveSmallIntegerField(_("окно всплеска переходов, минут"), default=10)
    admin_hours = models.PositiveSmallIntegerField(_("срок ссылки для администратора, часов"), default=24)

    class Meta:
        verbose_name = _("правила приглашений")
        verbose_name_plural = _("правила приглашений")
        constraints = [
            models.CheckConstraint(
                condition=Q(teacher_days__gte=1)
                & Q(student_days__gte=1)
                & Q(parent_days__gte=1)
                & Q(max_days__gte=1)
                & Q(teacher_days__lte=F("max_days"))
                & Q(student_days__lte=F("max_days"))
                & Q(parent_days__lte=F("max_days")),
                name="invite_policy_days_within_max",
            ),
            models.CheckConstraint(
                condition=Q(unused_days__gte=1)
                & Q(leak_spike_uses__gte=1)
                & Q(leak_spike_minutes__gte=1)
                & Q(admin_hours__gte=1)
                & Q(admin_hours__lte=72),
                name="invite_policy_limits_positive",
            ),
        ]

    def __str__(self):
        return f"Правила приглашений: {self.organisation}"

    def default_days(self, role: str) -> int:
        return {
            "teacher": self.teacher_days,
            "curator": self.teacher_days,
            "student": self.student_days,
            "parent": self.parent_days,
        }[role]


class Invite(models.Model):
    """«Ссылка-приглашение». The token itself is never stored: a keyed hash finds it, a cipher shows it again."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("действует")
        USED_UP = "used_up", _("использована")
        EXPIRED = "expired", _("истекла")
        REVOKED = "revoked", _("отозвана")
        PAUSED = "paused", _("приостановлена")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invites")
    target_group = models.ForeignKey(Group, on_delete=models.CASCADE, null=True, blank=True, related_name="invites")
    # An invite into a chat admits people who already belong to the organisation in the invite's role.
    target_chat = models.ForeignKey(
        "chats.Chat", on_delete=models.CASCADE, null=True, blank=True, related_name="invites", verbose_name=_("чат")
    )
    role = models.CharField(_("роль"), max_length=16, choices=InviteRole.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invites_created")
    recipient_name = models.CharField(_("кому"), max_length=300, blank=True)
    recipient_email = models.EmailField(_("e-mail получателя"), blank=True)
    recipient_phone = models.CharField(_("телефон получателя"), max_length=16, blank=True)
    bound_student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ребёнок"),
    )
    max_uses = models.PositiveIntegerField(_("сколько раз можно использовать"), null=True, blank=True)
    use_count = models.PositiveIntegerField(_("использована раз"), default=0)
    expires_at = models.DateTimeField(_("действует до"))
    requires_approval = models.BooleanField(_("вступление после одобрения"), default=False)
    status = models.CharField(_("статус"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_note = models.CharField(max_length=300, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    token_encrypted = models.TextField()
    # An administrator's link carries the appointing order; the redemption attaches it to the new administrator.
    admin_order = models.ForeignKey(
        "orgs.AdminAppointmentOrder", on_delete=models.SET_NULL, null=True, blank=True, related_name="invites"
    )
    relayed_from = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="relays", verbose_name=_("передана из")
    )
    created_at = models.DateTimeField(_("создана"), default=timezone.now)

    class Meta:
        verbose_name = _("приглашение")
        verbose_name_plural = _("приглашения")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status", "-created_at"]),
            models.Index(fields=["status", "expires_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(max_uses__isnull=True) | Q(max_uses__gte=1), name="invite_max_uses_pos"),
            models.CheckConstraint(
                condition=Q(max_uses__isnull=True) | Q(use_count__lte=F("max_uses")), name="invite_uses_within_max"
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()} → {self.target_chat or self.target_group or self.organisation}"


class Redemption(models.Model):
    invite = models.ForeignKey(Invite, on_delete=models.CASCADE, related_name="redemptions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="redemptions")
    created_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # When what the link promised beyond joining was done: a curator link's class is given once the teacher is
    # verified (at once if they already are).
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("переход по ссылке")
        verbose_name_plural = _("переходы по ссылкам")
        constraints = [models.UniqueConstraint(fields=["invite", "user"], name="redemption_once_per_user")]

    def __str__(self):
        return f"{self.user} по {self.invite_id}"


class JoinRequest(models.Model):
    """«Заявка на вступление в сообщество», from a person or from an invite that needs approval."""

    class Status(models.TextChoices):
        PENDING = "pending", _("на рассмотрении")
        APPROVED = "approved", _("одобрена")
        REJECTED = "rejected", _("отклонена")
        WITHDRAWN = "withdrawn", _("отозвана заявителем")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="join_requests")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests")
    role = models.CharField(_("роль"), max_length=16, choices=InviteRole.choices)
    group = models.ForeignKey(Group, on_delete=models.CASCADE, null=True, blank=True, related_name="join_requests")
    child = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # A parent whose child is not on the class's list yet types the name; the approver finds the child by it.
    child_name = models.CharField(_("ребёнок (как указал родитель)"), max_length=300, blank=True)
    invite = models.ForeignKey(Invite, on_delete=models.SET_NULL, null=True, blank=True, related_name="join_requests")
    message = models.TextField(_("сообщение"), blank=True, max_length=2000)
    status = models.CharField(_("статус"), max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(_("причина отказа"), blank=True)

    class Meta:
        verbose_name = _("заявка на вступление")
        verbose_name_plural = _("заявки на вступление")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user", "role"], condition=Q(status="pending"), name="join_request_one_pending"
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.organisation} ({self.get_status_display()})"


class InviteMailing(models.Model):
    """«Рассылка приглашений» by e-mail: a batch of invites sent by a background job, with its progress.

    The ids already handled are kept, so that running the job again (after a crash) sends nothing twice.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("в очереди")
        RUNNING = "running", _("отправляется")
        DONE = "done", _("завершена")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invite_mailings")
    invite_ids = models.JSONField(_("приглашения"), default=list)
    sent_ids = models.JSONField(default=list)
    failed_ids = models.JSONField(default=list)
    skipped_ids = models.JSONField(default=list)
    total = models.PositiveIntegerField(_("всего"), default=0)
    sent = models.PositiveIntegerField(_("отправлено"), default=0)
    failed = models.PositiveIntegerField(_("не удалось отправить"), default=0)
    skipped = models.PositiveIntegerField(_("пропущено (нет e-mail или ссылка не действует)"), default=0)
    status = models.CharField(_("статус"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    last_error = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("создана"), default=timezone.now)
    finished_at = models.DateTimeField(_("завершена"), null=True, blank=True)

    class Meta:
        verbose_name = _("рассылка приглашений")
        verbose_name_plural = _("рассылки приглашений")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Рассылка приглашений №{self.pk}: отправлено {self.sent} из {self.total}"


class JoinRequestDigest(models.Model):
    """The daily letter of pending join requests sent to one approver of one organisation on one (local) day.

    The unique row is what makes the digest job safe to re-run: a second run the same day finds it and sends nothing.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("день"))
    request_count = models.PositiveIntegerField(_("заявок в письме"), default=0)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("сводка заявок на вступление")
        verbose_name_plural = _("сводки заявок на вступление")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "day"], name="join_request_digest_once_a_day"),
        ]

    def __str__(self):
        return f"Сводка заявок для {self.user} ({self.organisation}, {self.day:%d.%m.%Y})"
