from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from orgs.models import Organisation


class Incident(models.Model):
    """A member's report of unauthorised access, as their organisation's administrators see it in their queue.

    One report makes one incident in each organisation the person belongs to; the report itself (what was ended)
    is the account's own record (portal.accounts AccessReport).
    """

    class Status(models.TextChoices):
        OPEN = "open", _("новый")
        REVIEWED = "reviewed", _("рассмотрен")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="incidents")
    report = models.ForeignKey("accounts.AccessReport", on_delete=models.CASCADE, related_name="incidents")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("инцидент безопасности")
        verbose_name_plural = _("инциденты безопасности")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "report"], name="incident_one_per_report_and_org"),
        ]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self):
        return f"{self.person} {self.created_at:%Y-%m-%d %H:%M}"
