"""Models of the policies app: the organisation's regulations, their versions and the people they name; the
content rules the chats enforce and the count of the texts they refused."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import Organisation


class Document(models.Model):
    """One regulation of an organisation («Положение», «Порядок», «Приказ»); its text lives in its versions."""

    class Kind(models.TextChoices):
        REGULATION = "regulation", _("Положение об использовании платформы")
        PROCEDURE = "procedure", _("Порядок использования платформы")
        ORDER = "order", _("Приказ о назначении ответственных")
        USER_TERMS = "user_terms", _("Пользовательское соглашение")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="policy_documents")
    kind = models.CharField(_("вид документа"), max_length=16, choices=Kind.choices)
    # Who is asked to acknowledge a major version besides the staff (always asked).
    ask_students = models.BooleanField(_("ознакомить обучающихся"), default=False)
    ask_parents = models.BooleanField(_("ознакомить родителей"), default=False)
    created_at = models.DateTimeField(_("создан"), default=timezone.now)

    class Meta:
        verbose_name = _("документ")
        verbose_name_plural = _("документы")
        ordering = ["organisation_id", "kind"]
        constraints = [models.UniqueConstraint(fields=["organisation", "kind"], name="policy_document_one_per_kind")]

    def __str__(self):
        return self.get_kind_display()


class DocumentVersion(models.Model):
    """A version major.minor of a document with its clauses and the organisation data they were written from.

    From approval on, `content` and `data` are frozen: the services refuse any change; a change is a new version.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("черновик")
        AGREEMENT = "agreement", _("на согласовании")
        APPROVED = "approved", _("утверждена")
        IN_FORCE = "in_force", _("действует")
        SUPERSEDED = "superseded", _("утратил силу")

    class ApprovalMethod(models.TextChoices):
        IN_APP = "in_app", _("«УТВЕРЖДАЮ» директора на портале")
        ORDER = "order", _("приказом")

    OPEN = (Status.DRAFT, Status.AGREEMENT)
    FROZEN = (Status.APPROVED, Status.IN_FORCE, Status.SUPERSEDED)

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    major = models.PositiveSmallIntegerField(_("номер версии"))
    minor = models.PositiveSmallIntegerField(_("номер правки"))
    status = models.CharField(_("статус"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    content = models.JSONField(_("текст"), default=dict)
    template_content = models.JSONField(_("текст по шаблону"), default=dict)
    data = models.JSONField(_("сведения об организации"), default=dict)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("автор")
    )
    # Everyone who changed the draft: none of them may approve it.
    editors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True)
    created_at = models.DateTimeField(_("создана"), default=timezone.now)
    sent_to_agreement_at = models.DateTimeField(_("направлена на согласование"), null=True, blank=True)
    approval_method = models.CharField(
        _("способ утверждения"), max_length=8, choices=ApprovalMethod.choices, blank=True, default=""
    )
    order_number = models.CharField(_("номер приказа"), max_length=50, blank=True, default="")
    order_date = models.DateField(_("дата приказа"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("утверждена"), null=True, blank=True)
    in_force_from = models.DateField(_("действует с"), null=True, blank=True)
    superseded_at = models.DateTimeField(_("утратила силу"), null=True, blank=True)

    class Meta:
        verbose_name = _("версия документа")
        verbose_name_plural = _("версии документов")
        ordering = ["document_id", "-major", "-minor"]
        constraints = [
            models.UniqueConstraint(fields=["document", "major", "minor"], name="policy_version_number_unique"),
            models.UniqueConstraint(
                fields=["document"], condition=Q(status="in_force"), name="policy_version_one_in_force"
            ),
            models.UniqueConstraint(
                fields=["document"], condition=Q(status__in=["draft", "agreement"]), name="policy_version_one_open"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "agreement"])
                | Q(approved_at__isnull=False, in_force_from__isnull=False),
                name="policy_version_approved_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.document} {self.number}"

    @property
    def number(self) -> str:
        return f"{self.major}.{self.minor}"

    @property
    def is_major(self) -> bool:
        """A major version (x.0) asks its audience to acknowledge it again; a minor one does not."""
        return self.minor == 0

    @property
    def is_frozen(self) -> bool:
        return self.status in self.FROZEN


def version_file_path(instance, filename: str) -> str:
    # A random name: the file is served only through a view that checks who asks, and its path tells nothing.
    extension = filename.rsplit(".", 1)[-1]
    return f"policies/versions/{instance.version.document.organisation_id}/{uuid.uuid4().hex}.{extension}"


class VersionFile(models.Model):
    """The printed form (PDF or DOCX) of an approved version, made once and kept with its SHA-256: what was approved
    is what is downloaded afterwards, byte for byte, whatever changes in the organisation or in the code."""

    class Format(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "DOCX"

    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="files")
    format = models.CharField(_("формат"), max_length=8, choices=Format.choices)
    file = models.FileField(_("файл"), upload_to=version_file_path, max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("размер, байт"))
    created_at = models.DateTimeField(_("сформирован"), default=timezone.now)

    class Meta:
        verbose_name = _("файл версии документа")
        verbose_name_plural = _("файлы версий документов")
        ordering = ["version_id", "format"]
        constraints = [models.UniqueConstraint(fields=["version", "format"], name="policy_version_file_once")]

    def __str__(self):
        return f"{self.version_id} {self.format}: {self.sha256}"


class Agreement(models.Model):
    """«СОГЛАСОВАНО»: a body (a council) agreed the version, by its protocol of a date."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="agreements")
    body = models.CharField(_("орган"), max_length=255)
    protocol_number = models.CharField(_("номер протокола"), max_length=50)
    protocol_date = models.DateField(_("дата протокола"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("согласование")
        verbose_name_plural = _("согласования")
        ordering = ["protocol_date", "id"]

    def __str__(self):
        return f"{self.body}, протокол № {self.protocol_number}"


class ResponsiblePerson(models.Model):
    """Who answers for what (the platform, personal data, moderation), as the orders name them."""

    class Duty(models.TextChoices):
        PLATFORM = "platform", _("ответственный за платформу")
        PERSONAL_DATA = "personal_data", _("ответственный за обработку персональных данных")
        MODERATION = "moderation", _("ответственный за модерацию")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="responsible_persons")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    duty = models.CharField(_("обязанность"), max_length=16, choices=Duty.choices)
    position = models.CharField(_("должность"), max_length=255)
    valid_from = models.DateField(_("с"))
    valid_to = models.DateField(_("по"), null=True, blank=True)

    class Meta:
        verbose_name = _("ответственное лицо")
        verbose_name_plural = _("ответственные лица")
        ordering = ["duty", "valid_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="responsible_person_dates_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.person} — {self.get_duty_display()}"


class ContentRuleSet(models.Model):
    """An organisation's content rules as a whole: created with the regulation's services on first use. Its stamp
    changes with every change of the services, so that each process knows when its compiled copy is stale."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="content_rule_set", verbose_name=_("организация")
    )
    stamp = models.UUIDField(_("версия"), default=uuid.uuid4)
    updated_at = models.DateTimeField(_("изменены"), default=timezone.now)

    class Meta:
        verbose_name = _("правила содержания")
        verbose_name_plural = _("правила содержания")

    def __str__(self):
        return str(self.organisation)


class ForbiddenService(models.Model):
    """A service the organisation's regulation forbids sending people to: its links and its names."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="forbidden_services", verbose_name=_("организация")
    )
    name = models.CharField(_("название"), max_length=100)
    domains = models.JSONField(_("домены"), default=list, blank=True)
    name_forms = models.JSONField(_("формы названия"), default=list, blank=True)
    enabled = models.BooleanField(_("действует"), default=True)
    created_at = models.DateTimeField(_("добавлен"), default=timezone.now)
    updated_at = models.DateTimeField(_("изменён"), default=timezone.now)

    class Meta:
        verbose_name = _("запрещённый сервис")
        verbose_name_plural = _("запрещённые сервисы")
        ordering = ["organisation", Lower("name"), "pk"]
        constraints = [
            models.UniqueConstraint("organisation", Lower("name"), name="forbidden_service_unique_name"),
        ]

    def __str__(self):
        return self.name


class ContentRefusalCount(models.Model):
    """How many texts the content rules refused in an organisation on one of its days, per rule and place."""

    class Rule(models.TextChoices):
        FORBIDDEN_SERVICE = "forbidden_service", _("запрещённый сервис")
        PROFANITY = "profanity", _("нецензурная лексика")

    class Place(models.TextChoices):
        MESSAGE = "message", _("сообщение")
        EDIT = "edit", _("изменение сообщения")
        CHAT_TITLE = "chat_title", _("название чата")
        POLL = "poll", _("опрос")
        FILE_NAME = "file_name", _("имя файла")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="content_refusal_counts")
    day = models.DateField(_("день"))
    rule = models.CharField(_("правило"), max_length=32, choices=Rule.choices)
    place = models.CharField(_("где"), max_length=16, choices=Place.choices)
    count = models.PositiveIntegerField(_("отказов"), default=0)

    class Meta:
        verbose_name = _("отказы по правилам содержания")
        verbose_name_plural = _("отказы по правилам содержания")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "day", "rule", "place"], name="content_refusal_day"),
        ]

    def __str__(self):
        return f"{self.organisation_id} {self.day} {self.rule} {self.place}: {self.count}"


class AcknowledgementCampaign(models.Model):
    """The request to acknowledge a major version of a document («Подтверждаю ознакомление»), opened when its first
    version x.y enters into force; its minor versions x.y+1 stay under the same campaign, so nobody is asked again. It
    is closed when the next major version opens its own. The audience is whoever holds its roles in the organisation
    while it is open: a teacher who joins later is asked too."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="campaigns")
    major = models.PositiveSmallIntegerField(_("номер версии"))
    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="+")
    staff = models.BooleanField(_("работники"), default=True)
    students = models.BooleanField(_("обучающиеся"), default=False)
    parents = models.BooleanField(_("родители"), default=False)
    started_at = models.DateTimeField(_("начато"), default=timezone.now)
    closed_at = models.DateTimeField(_("закрыто"), null=True, blank=True)

    class Meta:
        verbose_name = _("ознакомление с документом")
        verbose_name_plural = _("ознакомления с документами")
        ordering = ["document_id", "-major"]
        constraints = [
            models.UniqueConstraint(fields=["document", "major"], name="ack_campaign_one_per_major"),
            models.UniqueConstraint(
                fields=["document"], condition=Q(closed_at__isnull=True), name="ack_campaign_one_open"
            ),
        ]

    def __str__(self):
        return f"{self.document} {self.major}"


class Acknowledgement(models.Model):
    """A person has read the version («Подтверждаю ознакомление»): in the portal, by their parent, or on paper (the
    administrator records who signed and when)."""

    class Method(models.TextChoices):
        PORTAL = "portal", _("в портале")
        PARENT = "parent", _("родителем (законным представителем) в портале")
        PAPER = "paper", _("на бумаге")

    campaign = models.ForeignKey(AcknowledgementCampaign, on_delete=models.CASCADE, related_name="acknowledgements")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The version in force when it was read (a minor one under the same campaign).
    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("способ"), max_length=8, choices=Method.choices, default=Method.PORTAL)
    acknowledged_on = models.DateField(_("дата ознакомления"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("записано"), default=timezone.now)

    class Meta:
        verbose_name = _("отметка об ознакомлении")
        verbose_name_plural = _("отметки об ознакомлении")
        ordering = ["campaign_id", "acknowledged_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person"], name="acknowledgement_once_per_person"),
        ]

    def __str__(self):
        return f"{self.person} — {self.campaign}"


class AcknowledgementReminder(models.Model):
    """A reminder letter sent to a person who has not acknowledged yet: one per campaign, person and step (the day
    after the start), so that a job run twice never sends it twice."""

    campaign = models.ForeignKey(AcknowledgementCampaign, on_delete=models.CASCADE, related_name="reminders")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    step = models.PositiveSmallIntegerField(_("день напоминания"))
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("напоминание об ознакомлении")
        verbose_name_plural = _("напоминания об ознакомлении")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "person", "step"], name="ack_reminder_once_per_step"),
        ]

    def __str__(self):
        return f"{self.person} — {self.campaign}, {self.step}"


class TermsAcceptance(models.Model):
    """A person accepted a version of the organisation's user agreement and consented to the processing of their
    personal data. A major version asks again; a minor one is covered by the acceptance of its major."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="acceptances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    accepted_at = models.DateTimeField(_("принято"), default=timezone.now)
    personal_data_consent = models.BooleanField(_("согласие на обработку персональных данных"), default=False)
    address = models.GenericIPAddressField(_("адрес"), null=True, blank=True)

    class Meta:
        verbose_name = _("принятие пользовательского соглашения")
        verbose_name_plural = _("принятия пользовательского соглашения")
        constraints = [
            models.UniqueConstraint(fields=["version", "user"], name="terms_accepted_once_per_version"),
            models.CheckConstraint(condition=Q(personal_data_consent=True), name="terms_acceptance_has_consent"),
        ]

    def __str__(self):
        return f"{self.user} — {self.version}"
