from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .phones import normalize_phone


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, phone=None, email=None, password=None, **fields):
        if not phone and not email and not fields.get("managed_by_parent"):
            raise ValueError("A user needs a phone or an e-mail (or a parent who hands out sign-in codes).")
        user = self.model(
            phone=normalize_phone(phone) if phone else None,
            email=self.normalize_email(email).lower() if email else None,
            **fields,
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, phone=None, email=None, password=None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(phone, email, password, **fields)

    def create_superuser(self, phone=None, email=None, password=None, **fields):
        fields.update(is_staff=True, is_superuser=True)
        return self._create(phone, email, password, **fields)

    def get_by_natural_key(self, username):
        return self.get(phone=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Signs in by phone or e-mail; names are kept in three parts."""

    last_name = models.CharField(_("фамилия"), max_length=100)
    first_name = models.CharField(_("имя"), max_length=100)
    patronymic = models.CharField(_("отчество"), max_length=100, blank=True)
    phone = models.CharField(_("телефон"), max_length=16, unique=True, null=True, blank=True)
    # NULL, not "", so that the unique constraint applies only to given addresses.
    email = models.EmailField(_("e-mail"), null=True, blank=True)  # noqa: DJ001
    is_active = models.BooleanField(_("активен"), default=True)
    is_staff = models.BooleanField(_("оператор платформы"), default=False)
    date_joined = models.DateTimeField(_("зарегистрирован"), default=timezone.now)
    # A young pupil without a phone or e-mail of their own: the parent made the account and hands out the codes
    # with which the child signs in (see roster's child access).
    managed_by_parent = models.BooleanField(_("вход по коду от родителя"), default=False)

    objects = UserManager()

    USERNAME_FIELD = "phone"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email", "last_name", "first_name"]

    class Meta:
        verbose_name = _("пользователь")
        verbose_name_plural = _("пользователи")
        ordering = ["last_name", "first_name", "patronymic", "id"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci", condition=Q(email__isnull=False)),
            models.CheckConstraint(
                condition=Q(phone__isnull=False) | Q(email__isnull=False) | Q(managed_by_parent=True),
                name="user_has_phone_or_email",
            ),
        ]

    def __str__(self):
        return self.full_name or self.phone or self.email or f"#{self.pk}"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def short_name(self) -> str:
        initials = "".join(f"{p[0]}." for p in (self.first_name, self.patronymic) if p)
        return f"{self.last_name} {initials}".strip()

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.short_name


class OneTimeCode(models.Model):
    """A sign-in code sent by SMS or e-mail. Single-use; expires; attempts are counted."""

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        EMAIL = "email", _("e-mail")

    destination = models.CharField(max_length=254, db_index=True)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("одноразовый код")
        verbose_name_plural = _("одноразовые коды")
        indexes = [models.Index(fields=["destination", "-created_at"])]

    def __str__(self):
        return f"{self.get_channel_display()} {self.destination}"


class UserSession(models.Model):
    """One way a person is signed in: a browser session or an API token, with the device and address it came from.

    Rows are kept after the session ends (with when and why), so that a report of unauthorised access records what
    was ended. The session key is stored as Django's session table stores it; the token is a link to its row.
    """

    class Kind(models.TextChoices):
        BROWSER = "browser", _("браузер")
        TOKEN = "token", _("API-токен")

    class EndReason(models.TextChoices):
        SIGNED_OUT = "signed_out", _("выход")
        BY_USER = "by_user", _("завершён владельцем")
        BY_ADMIN = "by_admin", _("завершён администратором")
        ACCESS_REPORT = "access_report", _("сообщение о несанкционированном доступе")
        PASSWORD_CHANGED = "password_changed", _("смена пароля")
        EXPIRED = "expired", _("истёк")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signed_in_sessions")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.BROWSER)
    session_key = models.CharField(max_length=40, unique=True, null=True, blank=True)
    token = models.OneToOneField(
        "authtoken.Token", on_delete=models.SET_NULL, null=True, blank=True, related_name="tracking"
    )
    user_agent = models.CharField(max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    signed_in_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=16, choices=EndReason.choices, blank=True)

    class Meta:
        verbose_name = _("сеанс")
        verbose_name_plural = _("сеансы")
        ordering = ["-last_seen_at", "-id"]
        indexes = [models.Index(fields=["user", "ended_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class AccessReport(models.Model):
    """«Сообщение о несанкционированном доступе»: the person says someone else used their account. Everything that
    was signed in was ended; `ended` records what (sessions with device and address, counts of tokens and codes)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_reports")
    created_at = models.DateTimeField(default=timezone.now)
    comment = models.TextField(_("что произошло"), blank=True)
    user_agent = models.CharField(max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    ended = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("сообщение о несанкционированном доступе")
        verbose_name_plural = _("сообщения о несанкционированном доступе")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"
