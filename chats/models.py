import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import Group, Organisation, TeachingAssignment

from .repeats import REPEAT_WINDOW, changes_copies, repeats_new, repeats_recount
from .text import Shape, describe


class Chat(models.Model):
    """A chat or channel of an organisation. Archived chats are read-only and keep their history."""

    class Kind(models.TextChoices):
        GENERAL_CHANNEL = "general_channel", _("общий канал")
        STAFF_CHANNEL = "staff_channel", _("канал сотрудников")
        CLASS = "class", _("чат класса")
        CLASS_PARENTS = "class_parents", _("чат родителей класса")
        CLASS_TEACHERS = "class_teachers", _("чат педагогов класса")
        SUBJECT = "subject", _("чат по предмету")
        MGMT_DEPUTIES = "mgmt_deputies", _("руководитель и заместители")
        MGMT_TEACHERS = "mgmt_teachers", _("руководитель и педагоги")
        MGMT_PARENTS_COMMITTEE = "mgmt_parents_committee", _("руководитель и родительский комитет")
        MGMT_STUDENT_COUNCIL = "mgmt_student_council", _("руководитель и совет обучающихся")
        OTHER = "other", _("другой чат")
        EXTRA_CHANNEL = "extra_channel", _("дополнительный канал")

    SYSTEM_KINDS = (Kind.GENERAL_CHANNEL, Kind.STAFF_CHANNEL)
    # Channels: the system ones and those administrators add; the whole organisation (or its staff) reads them and
    # only their owners (administrators and leaders) post.
    CHANNEL_KINDS = (*SYSTEM_KINDS, Kind.EXTRA_CHANNEL)
    CLASS_KINDS = (Kind.CLASS, Kind.CLASS_PARENTS, Kind.CLASS_TEACHERS)
    STRUCTURE_KINDS = (*CLASS_KINDS, Kind.SUBJECT)
    MANAGEMENT_KINDS = (
        Kind.MGMT_DEPUTIES,
        Kind.MGMT_TEACHERS,
        Kind.MGMT_PARENTS_COMMITTEE,
        Kind.MGMT_STUDENT_COUNCIL,
    )

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="chats")
    kind = models.CharField(_("вид"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("название"), max_length=200)
    group = models.ForeignKey(
        Group, on_delete=models.PROTECT, null=True, blank=True, related_name="chats", verbose_name=_("класс")
    )
    subject = models.CharField(_("предмет"), max_length=150, blank=True)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("педагог"),
    )
    teaching_assignment = models.ForeignKey(
        TeachingAssignment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="chats",
        verbose_name=_("учебная нагрузка"),
    )
    is_archived = models.BooleanField(_("в архиве"), default=False)
    archived_at = models.DateTimeField(_("в архиве с"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("создал"),
    )
    created_at = models.DateTimeField(_("создан"), default=timezone.now)

    class Meta:
        verbose_name = _("чат")
        verbose_name_plural = _("чаты")
        ordering = ["organisation", "kind", "title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(kind="general_channel"), name="chat_one_general_channel"
            ),
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(kind="staff_channel"), name="chat_one_staff_channel"
            ),
            models.UniqueConstraint(
                fields=["group", "kind"],
                condition=Q(kind__in=["class", "class_parents", "class_teachers"]),
                name="chat_one_class_chat_per_kind",
            ),
            models.UniqueConstraint(
                fields=["group", "subject", "teacher"], condition=Q(kind="subject"), name="chat_one_subject_chat"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["class", "class_parents", "class_teachers", "subject"]) | Q(group__isnull=False),
                name="chat_class_kinds_have_group",
            ),
            models.CheckConstraint(
                condition=~Q(kind="subject") | (Q(teacher__isnull=False) & ~Q(subject="")),
                name="chat_subject_has_teacher_and_subject",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "kind", "is_archived"])]

    def __str__(self):
        return self.title

    @property
    def is_channel(self) -> bool:
        return self.kind in self.CHANNEL_KINDS


class ChatMember(models.Model):
    """A person in a chat. Leaving sets left_at: the row stays as history."""

    class Role(models.TextChoices):
        OWNER = "owner", _("владелец")
        MODERATOR = "moderator", _("модератор")
        MEMBER = "member", _("участник")

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="members", verbose_name=_("чат"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_memberships", verbose_name=_("участник")
    )
    role = models.CharField(_("роль в чате"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("вступил"), default=timezone.now)
    left_at = models.DateTimeField(_("вышел"), null=True, blank=True)
    # True: the structure put this person here, and the sync takes them out when the structure no longer does.
    # False: added by hand; the sync leaves them alone while they are still in the organisation.
    managed_by_structure = models.BooleanField(_("по структуре"), default=False)
    # Muted members read but do not post: from muted_at until muted_until (None: until a moderator lifts it).
    muted_at = models.DateTimeField(_("ограничен с"), null=True, blank=True)
    muted_until = models.DateTimeField(_("ограничен до"), null=True, blank=True)
    muted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ограничил"),
    )
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("исключил"),
    )

    class Meta:
        verbose_name = _("участник чата")
        verbose_name_plural = _("участники чатов")
        ordering = ["chat", "joined_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["chat", "user"], condition=Q(left_at__isnull=True), name="chat_member_one_active"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "left_at"]),
            models.Index(fields=["chat", "left_at", "role"]),
        ]

    def __str__(self):
        return f"{self.user} — {self.chat} ({self.get_role_display()})"

    @property
    def is_active(self) -> bool:
        return self.left_at is None

    def is_muted(self, now=None) -> bool:
        if self.muted_at is None:
            return False
        return self.muted_until is None or self.muted_until > (now or timezone.now())


MESSAGE_MAX_LENGTH = 4000


# Texts of a bulk load the recount of repeats names one by one; a load of more recounts every text of its span.
BULK_DIGESTS = 500


class MessageQuerySet(models.QuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Describe each text, and mark the repeats among the messages written and the 24 hours after them: one
        UPDATE per organisation (a load may write messages older than some already there)."""
        objs = list(objs)
        for message in objs:
            message.describe_text()
        created = super().bulk_create(objs, *args, **kwargs)
        chats = {m.chat_id for m in created}
        organisations = dict(Chat.objects.filter(pk__in=chats).values_list("pk", "organisation_id"))
        spans: dict[int, list] = {}
        for message in created:
            span = spans.setdefault(organisations[message.chat_id], [message.created_at, message.created_at, set()])
            span[0], span[1] = min(span[0], message.created_at), max(span[1], message.created_at)
            span[2].add(message.text_digest)
        for organisation_id, (since, until, digests) in spans.items():
            repeats_recount(
                self.model,
                organisation_id=organisation_id,
                since=since,
                until=until + REPEAT_WINDOW,
                digests=digests if len(digests) <= BULK_DIGESTS else None,
            )
        return created


class Message(models.Model):
    """A message in a chat. Deleting it keeps the row as a marker and empties the text.

    `text_shape` and `text_digest` describe the text (see `chats.text`), and `repeats` tells whether it copies
    the author's text of the previous 24 hours (see `chats.repeats`); they are written with it, by `save()` and by
    `Message.objects.bulk_create()`, and whatever writes the table otherwise must write them too (an UPDATE of texts
    calls `chats.repeats.repeats_recount` for their 24 hours)."""

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="messages", verbose_name=_("чат"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="chat_messages",
        verbose_name=_("автор"),
    )
    text = models.TextField(_("текст"), max_length=MESSAGE_MAX_LENGTH, blank=True)
    text_shape = models.PositiveSmallIntegerField(_("вид текста"), choices=Shape.choices, default=Shape.EMPTY)
    text_digest = models.BigIntegerField(_("отпечаток текста"), default=0)
    repeats = models.BooleanField(_("повтор за сутки"), default=False)
    reply_to = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replies", verbose_name=_("ответ на")
    )
    created_at = models.DateTimeField(_("отправлено"), default=timezone.now)
    edited_at = models.DateTimeField(_("изменено"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("удалено"), null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("удалил"),
    )
    # Pinned posts show above the messages (channels and chats alike); several may be pinned at once.
    pinned_at = models.DateTimeField(_("закреплено"), null=True, blank=True)
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("закрепил"),
    )

    objects = MessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("сообщение")
        verbose_name_plural = _("сообщения")
        ordering = ["chat", "-id"]
        indexes = [
            models.Index(fields=["chat", "id"]),
            models.Index(fields=["chat", "pinned_at"], condition=Q(pinned_at__isnull=False), name="message_pinned"),
            # The statistics read an organisation's messages of one day, chat by chat: without it every fill of a
            # day scans the whole history.
            models.Index(fields=["chat", "created_at"], name="message_chat_created"),
            # An author's earlier copies of a text: the one probe that tells whether a new message repeats one.
            models.Index(fields=["author", "text_digest", "created_at"], name="message_author_text"),
        ]

    def __str__(self):
        return f"{self.chat}: {self.text[:40]}"

    def save(self, *args, update_fields=None, **kwargs):
        adding = self._state.adding
        digest_before = self.text_digest
        if update_fields is None or "text" in update_fields:
            self.describe_text()
            if update_fields is not None:
                update_fields = {*update_fields, "text_shape", "text_digest"}
        if adding:
            # An expression the INSERT evaluates; the instance then reads the mark from the row if it is asked.
            self.repeats = self.deleted_at is None and repeats_new(
                Message,
                organisation_id=self.chat.organisation_id,
                author_id=self.author_id,
                shape=self.text_shape,
                digest=self.text_digest,
                at=self.created_at,
            )
        super().save(*args, update_fields=update_fields, **kwargs)
        if adding and not isinstance(self.repeats, bool):
            del self.repeats
        if not adding and self.author_id is not None and changes_copies(update_fields):
            # The text changed or went: this message and the author's copies of either text in the next 24 hours.
            repeats_recount(
                Message,
                organisation_id=self.chat.organisation_id,
                since=self.created_at,
                until=self.created_at + REPEAT_WINDOW,
                author_id=self.author_id,
                digests={digest_before, self.text_digest},
            )

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def describe_text(self) -> None:
        self.text_shape, self.text_digest = describe(self.text)


class ChatReadState(models.Model):
    """How far a person has read a chat: messages with a larger id are unread."""

    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="read_states", verbose_name=_("чат"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_read_states", verbose_name=_("читатель")
    )
    last_read_message_id = models.BigIntegerField(_("последнее прочитанное"), default=0)
    updated_at = models.DateTimeField(_("обновлено"), default=timezone.now)

    class Meta:
        verbose_name = _("прочитано в чате")
        verbose_name_plural = _("прочитано в чатах")
        constraints = [models.UniqueConstraint(fields=["chat", "user"], name="chat_read_state_one_per_user")]

    def __str__(self):
        return f"{self.user} — {self.chat}: {self.last_read_message_id}"


def poll_version() -> int:
    """A new version of a poll's votes: random rather than a counter, so that a state kept under (poll, version) by a
    process is never taken for another poll's that got the same id (a test database rolled back, a restored backup)."""
    return secrets.randbits(62)


class Poll(models.Model):
    """A poll posted with its message. `version` changes with its votes and its voters' names (poll_vote, which is
    the only writer of votes, and chats/receivers.py): the results kept under (poll, version) by
    chats.selectors.polls_results stay true."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="poll", verbose_name=_("сообщение"))
    question = models.CharField(_("вопрос"), max_length=300)
    multiple = models.BooleanField(_("несколько ответов"), default=False)
    anonymous = models.BooleanField(_("анонимный"), default=False)
    closes_at = models.DateTimeField(_("закрывается"), null=True, blank=True)
    version = models.BigIntegerField(_("версия голосов"), default=poll_version, editable=False)

    class Meta:
        verbose_name = _("опрос")
        verbose_name_plural = _("опросы")

    def __str__(self):
        return self.question

    def is_closed(self, now=None) -> bool:
        return self.closes_at is not None and self.closes_at <= (now or timezone.now())


class PollOption(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="options", verbose_name=_("опрос"))
    text = models.CharField(_("вариант"), max_length=200)
    position = models.PositiveSmallIntegerField(_("порядок"), default=0)

    class Meta:
        verbose_name = _("вариант ответа")
        verbose_name_plural = _("варианты ответа")
        ordering = ["poll", "position", "id"]

    def __str__(self):
        return self.text


class PollVote(models.Model):
    option = models.ForeignKey(PollOption, on_delete=models.CASCADE, related_name="votes", verbose_name=_("вариант"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="poll_votes", verbose_name=_("голосующий")
    )
    created_at = models.DateTimeField(_("проголосовал"), default=timezone.now)

    class Meta:
        verbose_name = _("голос")
        verbose_name_plural = _("голоса")
        constraints = [models.UniqueConstraint(fields=["option", "user"], name="poll_vote_one_per_option")]

    def __str__(self):
        return f"{self.user} → {self.option}"


class Event(models.Model):
    """A scheduled event announced in a chat; its members are the audience. One reminder is sent
    `reminder_minutes_before` the start: `reminded_at` records it, and the job claims it with a conditional UPDATE."""

    class Kind(models.TextChoices):
        BROADCAST = "broadcast", _("трансляция")
        MEETING = "meeting", _("совещание")
        PARENTS_MEETING = "parents_meeting", _("родительское собрание")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("вид"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("название"), max_length=200)
    starts_at = models.DateTimeField(_("начало"))
    duration_minutes = models.PositiveIntegerField(_("длительность, минут"), default=45)
    # The audience: the members of a chat, or of a group of the structure (a class: its students and their parents;
    # the staff group: the staff; a club: its members). Exactly one of the two.
    chat = models.ForeignKey(
        Chat, on_delete=models.CASCADE, null=True, blank=True, related_name="events", verbose_name=_("чат")
    )
    group = models.ForeignKey(
        Group, on_delete=models.CASCADE, null=True, blank=True, related_name="events", verbose_name=_("группа")
    )
    video_url = models.URLField(_("ссылка на видеосвязь"), max_length=500, blank=True)
    description = models.TextField(_("описание"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("создал"),
    )
    created_at = models.DateTimeField(_("создано"), default=timezone.now)
    reminder_minutes_before = models.PositiveIntegerField(_("напомнить за, минут"), default=60)
    # starts_at − reminder_minutes_before, stored so that the job finds due reminders by an index.
    remind_at = models.DateTimeField(_("время напоминания"))
    reminded_at = models.DateTimeField(_("напоминание отправлено"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("отменено"), null=True, blank=True)

    class Meta:
        verbose_name = _("событие")
        verbose_name_plural = _("события")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(duration_minutes__gt=0), name="event_duration_positive"),
            models.CheckConstraint(
                condition=Q(chat__isnull=False, group__isnull=True) | Q(chat__isnull=True, group__isnull=False),
                name="event_audience_chat_or_group",
            ),
            models.CheckConstraint(
                condition=Q(video_url="") | Q(video_url__startswith="https://"), name="event_video_url_https"
            ),
        ]
        indexes = [
            models.Index(fields=["chat", "starts_at"]),
            models.Index(
                fields=["remind_at"],
                condition=Q(reminded_at__isnull=True, cancelled_at__isnull=True),
                name="event_reminder_due",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} «{self.title}»"


def attachment_path(instance, filename) -> str:
    # The stored name is random: the person's file name is kept only in `original_name`, never in a path.
    return f"chats/{instance.chat_id}/{uuid.uuid4().hex}{instance.extension}"


def thumbnail_path(instance, filename) -> str:
    return f"chats/{instance.chat_id}/thumbs/{uuid.uuid4().hex}.jpg"


class Attachment(models.Model):
    """A file of a message. Its kind and type come from its content, not its name; images get a thumbnail."""

    class Kind(models.TextChoices):
        PHOTO = "photo", _("фото")
        AUDIO = "audio", _("аудио")
        VIDEO = "video", _("видео")
        DOCUMENT = "document", _("документ")

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("сообщение")
    )
    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("чат"))
    kind = models.CharField(_("вид"), max_length=16, choices=Kind.choices)
    file = models.FileField(_("файл"), upload_to=attachment_path, max_length=300)
    thumbnail = models.FileField(_("миниатюра"), upload_to=thumbnail_path, max_length=300, blank=True)
    original_name = models.CharField(_("имя файла"), max_length=255)
    extension = models.CharField(_("расширение"), max_length=16, blank=True)
    content_type = models.CharField(_("тип содержимого"), max_length=100)
    size = models.PositiveBigIntegerField(_("размер, байт"))
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(_("загружен"), default=timezone.now)

    class Meta:
        verbose_name = _("вложение")
        verbose_name_plural = _("вложения")
        ordering = ["message", "id"]

    def __str__(self):
        return self.original_name


class Report(models.Model):
    """A complaint about a message. Open reports form the moderation queue of the chat's owners and moderators
    and of the organisation's administrators."""

    class Reason(models.TextChoices):
        INSULT = "insult", _("оскорбление или травля")
        INAPPROPRIATE = "inappropriate", _("недопустимое содержание")
        SPAM = "spam", _("спам или реклама")
        FORBIDDEN_SERVICE = "forbidden_service", _("призыв перейти в запрещённый сервис")
        PERSONAL_DATA = "personal_data", _("персональные данные")
        OTHER = "other", _("другое")

    class Status(models.TextChoices):
        OPEN = "open", _("ждёт решения")
        MESSAGE_DELETED = "message_deleted", _("сообщение удалено")
        DISMISSED = "dismissed", _("отклонена")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="chat_reports")
    chat = models.ForeignKey(Chat, on_delete=models.CASCADE, related_name="reports", verbose_name=_("чат"))
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reports", verbose_name=_("сообщение"))
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("пожаловался"),
    )
    reason = models.CharField(_("причина"), max_length=32, choices=Reason.choices)
    comment = models.CharField(_("комментарий"), max_length=500, blank=True)
    # Filed by the content rules (a forbidden service named without a call to go there), not by a person.
    automatic = models.BooleanField(_("автоматическая проверка"), default=False)
    created_at = models.DateTimeField(_("подана"), default=timezone.now)
    status = models.CharField(_("статус"), max_length=16, choices=Status.choices, default=Status.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("рассмотрел"),
    )
    resolved_at = models.DateTimeField(_("рассмотрена"), null=True, blank=True)
    resolution_note = models.CharField(_("решение"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("жалоба")
        verbose_name_plural = _("жалобы")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One open report per person and message: a second click does not flood the queue.
            models.UniqueConstraint(
                fields=["message", "reporter"], condition=Q(status="open"), name="report_one_open_per_reporter"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "-created_at"]),
            models.Index(fields=["chat", "status"]),
        ]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.message_id}"
