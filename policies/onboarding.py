"""The documents' step of the set-up path on the administrator's home page (registered with orgs.onboarding)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from orgs.models import Organisation
from orgs.onboarding import DONE, STARTED, TODO, Step

from .models import Document
from .selectors import versions_in_force


def documents_step(organisation: Organisation) -> list[Step]:
    """Done when every kind of document has a version in force; started when some has."""
    in_force = len(versions_in_force(organisation))
    total = len(Document.Kind.values)
    state = DONE if in_force >= total else STARTED if in_force else TODO
    return [
        Step(
            "documents",
            60,
            _("Документы"),
            state,
            _("Действуют: %(count)s из %(total)s") % {"count": in_force, "total": total},
            reverse("policies:documents", args=[organisation.pk]),
            _("Подготовить и утвердить документы"),
        )
    ]
