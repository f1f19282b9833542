"""The lists' step of the set-up path on the administrator's home page (registered with orgs.onboarding): a school
of a thousand pupils loads them from its e-journal's export instead of typing them in class by class."""

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from orgs.models import Organisation, Placement
from orgs.onboarding import DONE, STARTED, TODO, Step

from .models import RosterImport, RosterKind


def lists_step(organisation: Organisation) -> list[Step]:
    """Done when the students' list has been loaded (or the pupils are in their classes already, placed by hand);
    started while a list is being prepared or when only the staff's was loaded."""
    imports = RosterImport.objects.filter(organisation=OuterRef("pk"))
    facts = (
        Organisation.objects.filter(pk=organisation.pk)
        .annotate(
            students_loaded=Exists(imports.filter(kind=RosterKind.STUDENTS, status=RosterImport.Status.DONE)),
            placed=Exists(Placement.objects.filter(organisation=OuterRef("pk"), valid_to__isnull=True)),
            any_import=Exists(imports),
        )
        .values("students_loaded", "placed", "any_import")
        .get()
    )  # one query for the three facts: the home page's steps keep their count
    if facts["students_loaded"] or facts["placed"]:
        state = DONE
    else:
        state = STARTED if facts["any_import"] else TODO
    vocab = organisation.vocabulary
    return [
        Step(
            "lists",
            15,
            _("Списки обучающихся и сотрудников"),
            state,
            _("Из выгрузки электронного журнала (CSV или XLSX): %(groups)s, личные ссылки и комплекты с QR-кодами")
            % {"groups": vocab.groups},
            reverse("roster:home", args=[organisation.pk]),
            _("Загрузить списки"),
        )
    ]
