"""Models of the policies app: the content rules of an organisation and the count of the texts they refused."""

import uuid

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import Organisation


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
