"""People of an organisation: the list with filters, a person's page and the actions the viewer may take there."""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.exceptions import PortalError, RuleViolation
from portal.web import apply_error_to_form, back, perform

from .. import selectors
from ..forms import (
    AdminOrderForm,
    AppointAdminForm,
    ClassChoiceForm,
    EndMembershipForm,
    MovementForm,
    PeopleFilterForm,
    ReasonForm,
    TeachingForm,
)
from ..models import CuratorAssignment, Membership, ParentLink, Placement, TeachingAssignment
from ..movement_models import Movement, movement_kind_label
from ..services import membership as services
from ..services import movement as movement_services
from ..web import org_page, require_perm

Role = Membership.Role
PAGE_SIZE = 25


def _filter_members(qs, org, data: dict):
    """Narrow the visible memberships by role, verification, class (its students, parents and teachers) and name."""
    if data.get("role"):
        qs = qs.filter(role=data["role"])
    if data.get("verification"):
        qs = qs.filter(role=Role.TEACHER, verification=data["verification"])
    group = data.get("group")
    if group is not None:
        students = Placement.objects.filter(group=group, valid_to__isnull=True).values("student_id")
        parents = ParentLink.objects.filter(organisation=org, valid_to__isnull=True, child_id__in=students)
        curators = CuratorAssignment.objects.filter(group=group, valid_to__isnull=True).values("teacher_id")
        teachers = TeachingAssignment.objects.filter(group=group, valid_to__isnull=True).values("teacher_id")
        qs = qs.filter(
            Q(role=Role.STUDENT, user_id__in=students)
            | Q(role=Role.PARENT, user_id__in=parents.values("parent_id"))
            | Q(role=Role.TEACHER, user_id__in=curators)
            | Q(role=Role.TEACHER, user_id__in=teachers)
        )
    for word in (data.get("q") or "").split()[:4]:
        qs = qs.filter(
            Q(user__last_name__icontains=word)
            | Q(user__first_name__icontains=word)
            | Q(user__patronymic__icontains=word)
        )
    return qs


@org_page("view_members")
def people(request, org):
    form = PeopleFilterForm(request.GET or None, org=org)
    members = selectors.members_for_user(request.user, org)
    if form.is_bound and form.is_valid():
        members = _filter_members(members, org, form.cleaned_data)
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "orgs/people.html", {"form": form, "page": page})


def _person_memberships(request, org, user_id) -> list[Membership]:
    memberships = list(selectors.members_for_user(request.user, org).filter(user_id=user_id))
    if not memberships:
        raise Http404
    return memberships


def _role(memberships: list[Membership], role: str) -> Membership:
    found = next((m for m in memberships if m.role == role), None)
    if found is None:
        raise RuleViolation(_("У этого человека нет роли «%(role)s».") % {"role": Role(role).label})
    return found


STUDENT_KINDS = [Movement.Kind.ENROL, Movement.Kind.TRANSFER, Movement.Kind.TRANSFER_OUT, Movement.Kind.EXPEL]
STUDENT_KINDS += [Movement.Kind.GRADUATE]
STAFF_KINDS = [Movement.Kind.POSITION, Movement.Kind.TRANSFER_OUT, Movement.Kind.DISMISS]


def movement_kinds(roles, org) -> list[tuple[str, str]]:
    """The movements that apply to a person with these roles, as form choices in the organisation's words."""
    kinds = (STUDENT_KINDS if Role.STUDENT in roles else []) + (STAFF_KINDS if Role.TEACHER in roles else [])
    return [(k.value, movement_kind_label(k, org)) for k in dict.fromkeys(kinds)]


def _move(actor, org, memberships, data):
    kind, roles = data["kind"], {m.role for m in memberships}
    if kind == Movement.Kind.TRANSFER_OUT:
        role = Role.STUDENT if Role.STUDENT in roles else Role.TEACHER
    else:
        role = Role.TEACHER if kind in STAFF_KINDS else Role.STUDENT
    return movement_services.movement_apply(
        organisation=org,
        membership=_role(memberships, role),
        kind=kind,
        actor=actor,
        reason=data.get("reason", ""),
        group=data.get("group"),
        position=data.get("position", ""),
        target=data.get("target"),
    )


@org_page("view_org")
def person(request, org, user_id):
    memberships = _person_memberships(request, org, user_id)
    person = memberships[0].user
    roles = {m.role for m in memberships}
    placements = Prefetch(
        "child__placements",
        queryset=Placement.objects.filter(organisation=org, valid_to__isnull=True).select_related("group"),
        to_attr="current_placements",
    )
    context = {
        "person": person,
        "memberships": memberships,
        "roles": roles,
        "teacher": next((m for m in memberships if m.role == Role.TEACHER), None),
        "placement": selectors.placements(org).filter(student=person).first(),
        "children": selectors.parent_links(org).filter(parent=person).prefetch_related(placements),
        "parents": selectors.parent_links(org).filter(child=person),
        "curated": selectors.curator_assignments(org).filter(teacher=person),
        "teaching": selectors.teaching_assignments(org).filter(teacher=person),
        "reject_form": ReasonForm(auto_id="reject_%s"),
        "class_form": ClassChoiceForm(org=org, auto_id="transfer_%s"),
        "curator_form": ClassChoiceForm(org=org, auto_id="curator_%s"),
        "teaching_form": TeachingForm(org=org, auto_id="teaching_%s"),
        "ends": [m for m in memberships if m.role != Role.ADMIN],
        "movement_form": MovementForm(org=org, kinds=movement_kinds(roles, org), auto_id="move_%s"),
        "has_movement": bool(movement_kinds(roles, org)),
    }
    return render(request, "orgs/person.html", context)


@dataclass(frozen=True)
class Action:
    perm: str
    title: Any
    success: Any
    run: Any
    form: Any = None


def _end(actor, org, memberships, data):
    wanted = data.get("role") or next(m.role for m in memberships if m.role != Role.ADMIN)
    return services.membership_end(membership=_role(memberships, wanted), actor=actor, reason=data.get("reason", ""))


ACTIONS = {
    "verify": Action(
        "verify_teachers",
        gettext_lazy("Подтвердить педагога"),
        gettext_lazy("Педагог подтверждён."),
        lambda actor, org, ms, data: services.teacher_verify(membership=_role(ms, Role.TEACHER), actor=actor),
    ),
    "reject": Action(
        "verify_teachers",
        gettext_lazy("Отклонить подтверждение"),
        gettext_lazy("Подтверждение отклонено."),
        lambda actor, org, ms, data: services.teacher_reject(
            membership=_role(ms, Role.TEACHER), actor=actor, reason=data["reason"]
        ),
        lambda data, org: ReasonForm(data),
    ),
    "make-admin": Action(
        "manage_admins",
        gettext_lazy("Назначить администратором"),
        gettext_lazy("Назначен администратор."),
        lambda actor, org, ms, data: services.admin_appoint(
            organisation=org,
            user=ms[0].user,
            actor=actor,
            order_number=data["order_number"],
            order_date=data["order_date"],
        ),
        lambda data, org: AdminOrderForm(data),
    ),
    "remove-admin": Action(
        "manage_admins",
        gettext_lazy("Снять права администратора"),
        gettext_lazy("Права администратора сняты."),
        lambda actor, org, ms, data: services.admin_remove(membership=_role(ms, Role.ADMIN), actor=actor),
    ),
    "end": Action(
        "manage_movement",
        gettext_lazy("Завершить участие"),
        gettext_lazy("Участие завершено."),
        _end,
        lambda data, org: EndMembershipForm(data),
    ),
    "move": Action(
        "manage_movement",
        gettext_lazy("Движение"),
        gettext_lazy("Движение записано в историю."),
        _move,
        lambda data, org: MovementForm(data, org=org, kinds=movement_kinds({Role.STUDENT, Role.TEACHER}, org)),
    ),
    "transfer": Action(
        "manage_movement",
        gettext_lazy("Зачислить или перевести"),
        gettext_lazy("Обучающийся зачислен."),
        lambda actor, org, ms, data: services.student_place(
            organisation=org, student=_role(ms, Role.STUDENT).user, group=data["group"], actor=actor
        ),
        lambda data, org: ClassChoiceForm(data, org=org),
    ),
    "curator": Action(
        "manage_org",
        gettext_lazy("Назначить куратором"),
        gettext_lazy("Кураторство назначено."),
        lambda actor, org, ms, data: services.curator_assign(
            group=data["group"], teacher=_role(ms, Role.TEACHER).user, actor=actor
        ),
        lambda data, org: ClassChoiceForm(data, org=org),
    ),
    "teaching": Action(
        "manage_org",
        gettext_lazy("Назначить нагрузку"),
        gettext_lazy("Нагрузка назначена."),
        lambda actor, org, ms, data: services.teaching_assign(
            group=data["group"], teacher=_role(ms, Role.TEACHER).user, subject=data["subject"], actor=actor
        ),
        lambda data, org: TeachingForm(data, org=org),
    ),
}


@org_page("view_org")
def person_action(request, org, user_id, action):
    """One action on a person; GET shows its form, POST runs its service."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    require_perm(request.user, spec.perm, org)
    memberships = _person_memberships(request, org, user_id)
    form = spec.form(request.POST or None, org) if spec.form else None
    if request.method == "POST":
        if form is None or form.is_valid():
            data = dict(form.cleaned_data) if form else {}
            perform(request, lambda: spec.run(request.user, org, memberships, data), str(spec.success))
            return back(request, "orgs:person", org.pk, user_id)
    return render(
        request,
        "orgs/person_action.html",
        {"form": form, "title": spec.title, "person": memberships[0].user, "action": action},
    )


@org_page("verify_teachers")
def verification(request, org):
    return render(request, "orgs/verification.html", {"queue": selectors.verification_queue_entries(org)})


@org_page("manage_admins")
def administrators(request, org):
    admins = list(selectors.administrators(org).order_by("user__last_name", "user__first_name"))
    candidates = (
        selectors.members_for_user(request.user, org)
        .filter(role=Role.TEACHER)
        .exclude(user_id__in=[a.user_id for a in admins])
    )
    form = AppointAdminForm(request.POST or None, request.FILES or None, org=org, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        user = form.cleaned_data["membership"].user
        try:
            services.admin_appoint(organisation=org, user=user, actor=request.user, **form.order())
        except PortalError as error:
            apply_error_to_form(form, error)
        else:
            messages.success(request, _("Назначен администратор: %(name)s.") % {"name": user.full_name})
            return redirect("orgs:administrators", org.pk)
    return render(request, "orgs/administrators.html", {"admins": admins, "form": form})
