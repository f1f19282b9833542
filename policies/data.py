"""The organisation data a document is written from, taken as one snapshot that an approved version keeps."""

import datetime

from django.db.models import Q
from django.utils import timezone, translation

from orgs.models import AcademicYear, Membership, Organisation

from .forbidden import forbidden_services
from .models import ResponsiblePerson

# How the documents name the organisation itself («далее — Школа»), in the cases their sentences need.
ORG_WORDS = {
    "school": ("Школа", "Школы", "Школе"),
    "college": ("Колледж", "Колледжа", "Колледже"),
    "additional": ("Организация", "Организации", "Организации"),
    "kindergarten": ("Детский сад", "Детского сада", "Детском саду"),
}


def _person(user) -> dict:
    return {"id": user.pk, "full_name": user.full_name, "short_name": user.short_name}


def _academic_year(organisation: Organisation, today: datetime.date) -> str:
    year = AcademicYear.objects.filter(organisation=organisation, is_current=True).first()
    if year:
        return year.name
    start = today.year if today.month >= 9 else today.year - 1
    return f"{start}/{start + 1}"


def responsible_on(organisation: Organisation, day: datetime.date):
    """The responsible persons whose appointment covers the day."""
    return (
        ResponsiblePerson.objects.filter(organisation=organisation, valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .select_related("person")
    )


def organisation_snapshot(organisation: Organisation) -> dict:
    """Everything the templates use, as plain JSON: names, address, vocabulary, people, forbidden services, year."""
    today = timezone.localdate()
    memberships = Membership.objects.filter(organisation=organisation, valid_to__isnull=True).select_related("user")
    admins = [m.user for m in memberships if m.role == Membership.Role.ADMIN]
    director = next(
        (
            m.user
            for m in memberships
            if m.role == Membership.Role.TEACHER
            and m.position == Membership.Position.DIRECTOR
            and m.verification != Membership.Verification.REJECTED
        ),
        None,
    )
    vocab = organisation.vocabulary
    with translation.override("ru"):
        words = {
            "curator": str(vocab.curator),
            "group": str(vocab.group),
            "group_genitive": str(vocab.group_genitive),
            "teacher": str(vocab.teacher),
            "teachers": str(vocab.teachers),
        }
    nominative, genitive, locative = ORG_WORDS.get(organisation.kind, ORG_WORDS["additional"])
    words.update(org=nominative, org_genitive=genitive, org_locative=locative)
    return {
        "full_name": organisation.full_name,
        "short_name": organisation.short_name,
        "address": organisation.address,
        "kind": organisation.kind,
        "words": words,
        "director": _person(director) if director else None,
        "admins": [_person(u) for u in sorted(admins, key=lambda u: u.full_name)],
        "responsible": [
            {**_person(r.person), "duty": r.duty, "position": r.position, "from": r.valid_from.isoformat()}
            for r in responsible_on(organisation, today)
        ],
        "forbidden_services": forbidden_services(organisation),
        "academic_year": _academic_year(organisation, today),
        "taken_on": today.isoformat(),
    }
