"""Forms of the invite pages. They parse input; the services decide the rules."""

import re
import zoneinfo

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import get_objects_for_user

from orgs.forms import AdminOrderForm
from orgs.models import Group, Placement
from portal.accounts.models import User
from portal.exceptions import PortalError

from .hooks import pending_child
from .models import Invite, InviteRole
from .services.links import policy_for
from .terms import role_label

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _cap(text) -> str:
    text = str(text)
    return text[:1].upper() + text[1:]


def child_label(user) -> str:
    """Surname and first initial only: a link holder sees no more of the class list than that."""
    return f"{user.last_name} {user.first_name[:1]}.".strip()


def class_students(group: Group):
    students = Placement.objects.filter(group=group, valid_to__isnull=True).values("student_id")
    return User.objects.filter(pk__in=students).order_by("last_name", "first_name", "id")


def in_org_time_zone(value, organisation):
    """A date and time typed on the page means the organisation's local time, not the server's."""
    if value is None:
        return None
    naive = timezone.make_naive(value) if timezone.is_aware(value) else value
    return timezone.make_aware(naive, zoneinfo.ZoneInfo(organisation.time_zone))


def classes_for_inviter(user, organisation):
    """Classes the user may invite into: every class for an administrator, else their own."""
    qs = Group.objects.filter(organisation=organisation, kind=Group.Kind.CLASS, is_archived=False)
    if not user.has_perm("orgs.invite_members", organisation):
        qs = get_objects_for_user(user, "orgs.invite_to_group", klass=qs, accept_global_perms=False)
    return qs.order_by("grade", "name", "id")


# --- Joining ----------------------------------------------------------------------------


class JoinForm(forms.Form):
    """The join page: the child for a parent link without a bound child, and the sign-up fields for a visitor."""

    last_name = forms.CharField(
        label=_("Фамилия"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    first_name = forms.CharField(
        label=_("Имя"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    patronymic = forms.CharField(
        label=_("Отчество"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "additional-name"}),
        help_text=_("Если есть."),
    )
    identifier = forms.CharField(
        label=_("Телефон или e-mail"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username"}),
        help_text=_("Например, +7 900 000-00-00 или name@mail.ru. Пришлём одноразовый код."),
    )
    child = forms.ModelChoiceField(
        label=_("Ваш ребёнок"),
        queryset=User.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        required=False,
    )
    child_name = forms.CharField(
        label=_("Фамилия и имя ребёнка"),
        max_length=300,
        required=False,
    )

    def __init__(self, *args, invite: Invite, signup: bool, roster: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not signup:
            for name in ("last_name", "first_name", "patronymic", "identifier"):
                del self.fields[name]
        chooses_child = (
            invite.role == InviteRole.PARENT and invite.bound_student_id is None and pending_child(invite) is None
        )
        if not (chooses_child and invite.target_group_id and roster):
            del self.fields["child"], self.fields["child_name"]
            return
        vocab = invite.organisation.vocabulary
        words = {"curator": vocab.curator, "group": vocab.group_genitive}
        self.fields["child_name"].help_text = (
            _("Если ребёнка нет в списке, его найдёт и подтвердит заявку %(curator)s.") % words
        )
        students = class_students(invite.target_group)
        if students.exists():
            field = self.fields["child"]
            field.queryset = students
            field.label_from_instance = child_label
            field.help_text = _("Фамилия и первая буква имени; выбор подтвердит %(curator)s.") % words
        else:
            # Nobody of the class is on the portal yet: the parent types the name, the curator matches it later.
            del self.fields["child"]
            self.fields["child_name"].required = True
            self.fields["child_name"].help_text = (
                _(
                    "Список %(group)s на портале пока пуст. Впишите фамилию и имя ребёнка: %(curator)s "
                    "найдёт его и подтвердит заявку."
                )
                % words
            )

    def clean(self):
        cleaned = super().clean()
        if "child" in self.fields and not cleaned.get("child") and not (cleaned.get("child_name") or "").strip():
            self.add_error("child", _("Выберите ребёнка из списка или впишите его фамилию и имя."))
        return cleaned

    def clean_identifier(self):
        from portal.accounts.services import normalize_identifier

        value = self.cleaned_data["identifier"].strip()
        try:
            normalize_identifier(value)
        except (PortalError, ValidationError) as error:
            raise ValidationError(getattr(error, "message", None) or error.messages) from None
        return value


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Код из сообщения"),
        min_length=6,
        max_length=6,
        help_text=_("Шесть цифр."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]{6}", "autofocus": True}
        ),
    )
    password = forms.CharField(
        label=_("Пароль"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Необязательно: без пароля вы будете входить по одноразовому коду. "
            "Если учётная запись у вас уже есть, пароль не изменится."
        ),
    )

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise ValidationError(_("Код состоит из шести цифр."))
        return code

    def clean_password(self):
        password = self.cleaned_data.get("password") or ""
        if password:
            validate_password(password)
        return password


# --- Managing links -------------------------------------------------------------------------

STATUS_CHOICES = [("", _("все")), *Invite.Status.choices]


class InviteFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Статус"), required=False, choices=STATUS_CHOICES)
    role = forms.ChoiceField(label=_("Роль"), required=False, choices=[("", _("все")), *InviteRole.choices])
    group = forms.ModelChoiceField(queryset=Group.objects.none(), required=False, empty_label=_("все"))

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = Group.objects.filter(organisation=org, kind=Group.Kind.CLASS).order_by(
            "is_archived", "grade", "name"
        )
        self.fields["group"].label = _cap(org.vocabulary.group)
        self.fields["role"].choices = [("", _("все")), *((role, role_label(role, org)) for role in InviteRole.values)]


USES = [("one", _("Один человек")), ("many", _("Несколько человек")), ("unlimited", _("Без ограничения числа"))]


class LinkTermsForm(forms.Form):
    """How many people a link admits and until when: shared by the forms that create links."""

    uses = forms.ChoiceField(
        label=_("Сколько человек могут вступить"), choices=USES, initial="one", widget=forms.RadioSelect
    )
    max_uses = forms.IntegerField(
        label=_("Число человек"),
        min_value=2,
        max_value=10000,
        required=False,
        help_text=_("Только для варианта «Несколько человек»."),
    )
    expires_at = forms.DateTimeField(label=_("Действует до"), required=False, widget=DATETIME)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = org

    def clean_expires_at(self):
        return in_org_time_zone(self.cleaned_data.get("expires_at"), self.organisation)

    def clean(self):
        cleaned = super().clean()
        uses = cleaned.get("uses")
        if uses == "many" and not cleaned.get("max_uses"):
            self.add_error("max_uses", _("Укажите, сколько человек могут вступить по ссылке."))
        cleaned["max_uses_value"] = {"one": 1, "many": cleaned.get("max_uses"), "unlimited": None}.get(uses, 1)
        return cleaned


def invite_roles(actor, org) -> list[tuple[str, str]]:
    """The roles the actor may invite, as the page names them in the organisation's words."""
    vocab = org.vocabulary
    roles = []
    if actor.has_perm("orgs.invite_staff", org):
        roles.append((InviteRole.TEACHER, _cap(vocab.teacher) + " — " + str(_("в коллектив"))))
    roles.append((InviteRole.STUDENT, _cap(vocab.student)))
    roles.append((InviteRole.PARENT, InviteRole.PARENT.label.capitalize()))
    if actor.has_perm("orgs.invite_staff", org):
        roles.append(
            (InviteRole.CURATOR, _cap(vocab.curator) + " " + str(_("— станет им после подтверждения (одноразовая)")))
        )
    return roles


class InviteCreateForm(LinkTermsForm):
    """A new link for one role, chosen before the form: each role gets only the fields that mean something for it.

    A teacher's link is personal by default (its «Кому» fills the teacher's sign-up); a class link for students or
    parents admits several people by default, as it is usually handed to a whole class.
    """

    role = forms.ChoiceField(label=_("Кого приглашаете"), widget=forms.HiddenInput)
    target_group = forms.ModelChoiceField(queryset=Group.objects.none(), required=False)
    recipient_name = forms.CharField(label=_("Кому (ФИО)"), max_length=300, required=False)
    recipient_email = forms.EmailField(label=_("E-mail получателя"), required=False)
    recipient_phone = forms.CharField(label=_("Телефон получателя"), max_length=32, required=False)
    bound_student = forms.ModelChoiceField(
        label=_("Ребёнок"),
        queryset=Placement.objects.none(),
        required=False,
        empty_label=_("— родитель выберет сам —"),
    )
    requires_approval = forms.BooleanField(label=_("Вступление только после одобрения"), required=False)
    field_order = ["role", "target_group", "bound_student", "recipient_name", "uses", "max_uses", "expires_at"]

    def __init__(self, *args, org, actor, role: str, **kwargs):
        super().__init__(*args, org=org, **kwargs)
        vocab = org.vocabulary
        classes = classes_for_inviter(actor, org)
        self.fields["role"].choices = invite_roles(actor, org)
        self.fields["role"].initial = role
        personal = role in (InviteRole.TEACHER, InviteRole.CURATOR)
        self.fields["uses"].initial = "one" if personal else "many"
        self.fields["max_uses"].initial = None if personal else 30
        policy = policy_for(org)
        self.fields["expires_at"].help_text = _(
            "Время организации (%(tz)s). Если не указать — %(days)s дн. Не дольше %(max)s дн."
        ) % {"tz": org.get_time_zone_display(), "days": policy.default_days(role), "max": policy.max_days}
        if role == InviteRole.TEACHER:
            del self.fields["target_group"], self.fields["bound_student"]
            self.fields["recipient_name"].help_text = _(
                "Фамилия, имя и отчество педагога: по личной ссылке они будут уже вписаны, когда он регистрируется."
            )
            self.fields["requires_approval"].help_text = _(
                "Педагог вступает в «%(staff)s» неподтверждённым в любом случае: подтверждает его администратор."
            ) % {"staff": vocab.staff_group}
            return
        self.fields["target_group"].queryset = classes
        self.fields["target_group"].label = _cap(vocab.group)
        self.fields["target_group"].empty_label = _("— выберите —")
        self.fields["target_group"].required = True
        self.fields["target_group"].error_messages["required"] = _("Выберите, куда приглашаете.")
        if role != InviteRole.PARENT:
            del self.fields["bound_student"]
            return
        self.fields["bound_student"].queryset = (
            Placement.objects.filter(group__in=classes, valid_to__isnull=True)
            .select_related("student", "group")
            .order_by("group__grade", "group__name", "student__last_name", "student__first_name")
        )
        self.fields["bound_student"].label_from_instance = lambda p: f"{p.student.full_name} ({p.group.name})"
        self.fields["bound_student"].help_text = _(
            "Если указать ребёнка, родитель вступает сразу. Если нет — родитель выбирает ребёнка из списка "
            "(или вписывает его имя), и каждую такую заявку подтверждает %(curator)s или администратор."
        ) % {"curator": vocab.curator}

    def clean(self):
        cleaned = super().clean()
        placement = cleaned.get("bound_student")
        if placement is not None and cleaned.get("target_group") and placement.group_id != cleaned["target_group"].pk:
            other = (
                _("Ребёнок учится в другом классе.")
                if self.organisation.vocabulary.is_class
                else _("Ребёнок учится в другой группе.")
            )
            self.add_error("bound_student", other)
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        placement = data.get("bound_student")
        return {
            "role": data["role"],
            "target_group": data.get("target_group") if data["role"] != InviteRole.TEACHER else None,
            "max_uses": 1 if data["role"] == InviteRole.CURATOR else data["max_uses_value"],
            "expires_at": data.get("expires_at"),
            "recipient_name": data.get("recipient_name", ""),
            "recipient_email": data.get("recipient_email", ""),
            "recipient_phone": data.get("recipient_phone", ""),
            "bound_student": placement.student if placement else None,
            "requires_approval": data.get("requires_approval", False),
        }


class RelayForm(forms.Form):
    max_uses = forms.IntegerField(
        label=_("Сколько человек могут вступить"),
        min_value=1,
        required=False,
        help_text=_("Если не указать — сколько осталось у исходной ссылки."),
    )
    expires_at = forms.DateTimeField(
        label=_("Действует до"), required=False, widget=DATETIME, help_text=_("Не позже срока исходной ссылки.")
    )

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = org

    def clean_expires_at(self):
        return in_org_time_zone(self.cleaned_data.get("expires_at"), self.organisation)


KIT_COPIES_MAX = 40


class KitCopiesForm(forms.Form):
    """How many identical cards of a shared link to print: bounded, so that a typo does not print a ream."""

    copies = forms.IntegerField(
        label=_("Сколько карточек"),
        min_value=1,
        max_value=KIT_COPIES_MAX,
        help_text=_("От 1 до %(max)s.") % {"max": KIT_COPIES_MAX},
    )


def kit_copies_default(invite: Invite) -> int:
    """As many cards as people may still join (up to the maximum), else a class's usual size."""
    if invite.max_uses:
        return max(1, min(invite.max_uses - invite.use_count, KIT_COPIES_MAX))
    return 30


REVOKE_SCOPES = [
    ("own", _("все мои ссылки")),
    ("group", _("все ссылки в %(group)s")),  # «в класс», «в группу»: the organisation's word
    ("organisation", _("все ссылки организации")),
]


class RevokeAllForm(forms.Form):
    scope = forms.ChoiceField(label=_("Что отозвать"), choices=REVOKE_SCOPES)
    group = forms.ModelChoiceField(queryset=Group.objects.none(), required=False)

    def __init__(self, *args, org, actor, **kwargs):
        super().__init__(*args, **kwargs)
        admin = actor.has_perm("orgs.invite_members", org)
        self.words = words = org.vocabulary
        self.fields["scope"].choices = [
            (key, label % {"group": words.group_accusative} if key == "group" else label)
            for key, label in (REVOKE_SCOPES if admin else REVOKE_SCOPES[:2])
        ]
        self.fields["group"].queryset = classes_for_inviter(actor, org)
        self.fields["group"].label = _("%(group)s (для «все ссылки в %(accusative)s»)") % {
            "group": _cap(words.group),
            "accusative": words.group_accusative,
        }

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == "group" and not cleaned.get("group"):
            self.add_error("group", _("Выберите: %(group)s.") % {"group": self.words.group})
        return cleaned


# --- Join requests --------------------------------------------------------------------------


class OrganisationSearchForm(forms.Form):
    q = forms.CharField(label=_("Название организации"), max_length=100, required=False)
    municipality = forms.CharField(label=_("Муниципальное образование"), max_length=100, required=False)


class JoinRequestForm(forms.Form):
    role = forms.ChoiceField(label=_("Кем вы будете в организации"))
    group = forms.ModelChoiceField(queryset=Group.objects.none(), required=False)
    message = forms.CharField(
        label=_("Сообщение"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Коротко: кто вы и почему просите принять."),
    )

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        vocab = org.vocabulary
        self.fields["role"].choices = [
            (InviteRole.STUDENT, _cap(vocab.student)),
            (InviteRole.TEACHER, _cap(vocab.teacher)),
        ]
        self.fields["group"].queryset = Group.objects.filter(
            Q(organisation=org, kind=Group.Kind.CLASS, is_archived=False)
        ).order_by("grade", "name")
        self.fields["group"].label = _cap(vocab.group)
        self.fields["group"].empty_label = _("— выберите —")
        self.fields["group"].help_text = _("Для обучающегося — обязательно; педагогу не нужно.")


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Причина отказа"), max_length=1000)


# --- A class at once ----------------------------------------------------------------------

NAME_CHARACTERS = re.compile(r"^[^\W\d_]+(?:[ '’.\-]+[^\W\d_]+)*\.?$")
NAME_MAX_LENGTH = 300


class ClassBulkForm(forms.Form):
    """Personal links for a class: one per student on a list of names, and one per current student's parents."""

    student_names = forms.CharField(
        label=_("Обучающиеся, которых ещё нет в портале"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_("По одному человеку в строке: фамилия, имя и, если есть, отчество. Каждый получит личную ссылку."),
    )
    parents = forms.BooleanField(required=False)
    expires_at = forms.DateTimeField(label=_("Действует до"), required=False, widget=DATETIME)

    def __init__(self, *args, org, group: Group, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = org
        self.group = group
        self.students = list(class_students(group))
        vocab = org.vocabulary
        self.fields["student_names"].label = _("%(students)s, которых ещё нет в портале") % {
            "students": _cap(vocab.students)
        }
        self.fields["parents"].label = self.parents_label = _("Родителям каждого из %(students)s") % {
            "students": vocab.students_genitive
        }
        self.fields["parents"].help_text = _(
            "Личная ссылка родителям (законным представителям) каждого ребёнка, уже привязанная к нему. Сейчас "
            "%(students)s: %(n)s."
        ) % {"n": len(self.students), "students": vocab.students_genitive}
        policy = policy_for(org)
        self.fields["expires_at"].help_text = _(
            "Время организации (%(tz)s). Если не указать: %(student)s дн. для обучающихся, %(parent)s — для "
            "родителей. Не дольше %(max)s дн."
        ) % {
            "tz": org.get_time_zone_display(),
            "student": policy.student_days,
            "parent": policy.parent_days,
            "max": policy.max_days,
        }

    def clean_student_names(self):
        """One name a line; every line with a problem is named by its number and its text."""
        text = self.cleaned_data.get("student_names") or ""
        enrolled = {" ".join(student.full_name.casefold().split()) for student in self.students}
        enrolled |= {" ".join(f"{s.last_name} {s.first_name}".casefold().split()) for s in self.students}
        names, seen, errors = [], {}, []
        for number, line in enumerate(text.splitlines(), start=1):
            name = " ".join(line.split())
            if not name:
                continue
            problem = _name_problem(name, seen, enrolled)
            if problem:
                errors.append(
                    ValidationError(
                        _("Строка %(n)s «%(line)s»: %(problem)s"),
                        params={"n": number, "line": name, "problem": problem},
                    )
                )
            seen.setdefault(name.casefold(), number)
            names.append(name)
        if errors:
            raise ValidationError(errors)
        return names

    def clean_expires_at(self):
        return in_org_time_zone(self.cleaned_data.get("expires_at"), self.organisation)

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not cleaned.get("student_names") and not cleaned.get("parents"):
            raise ValidationError(
                _("Впишите имена обучающихся или отметьте «%(parents)s».") % {"parents": self.parents_label}
            )
        return cleaned


def _name_problem(name: str, seen: dict, enrolled: set) -> str:
    if len(name) > NAME_MAX_LENGTH:
        return str(_("слишком длинно (не больше %(max)s знаков).") % {"max": NAME_MAX_LENGTH})
    if not NAME_CHARACTERS.match(name):
        return str(_("в имени могут быть только буквы, пробел, дефис, апостроф и точка."))
    if len(name.split()) < 2:
        return str(_("укажите фамилию и имя."))
    if name.casefold() in seen:
        return str(_("повторяет строку %(n)s.") % {"n": seen[name.casefold()]})
    if name.casefold() in enrolled:
        return str(_("уже учится здесь и есть в портале: ссылка не нужна."))
    return ""


class AdminLinkForm(AdminOrderForm):
    """An administrator's link: for whom (optional), the appointing order (number, date, file)."""

    recipient_name = forms.CharField(label=_("Кому (ФИО)"), max_length=300, required=False)
    recipient_email = forms.EmailField(label=_("E-mail получателя"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, with_file=True, **kwargs)
        self.order_fields(["recipient_name", "recipient_email", "order_number", "order_date", "order_file"])

    def service_kwargs(self) -> dict:
        order = self.order()
        return {
            "recipient_name": self.cleaned_data.get("recipient_name", ""),
            "recipient_email": self.cleaned_data.get("recipient_email", ""),
            "admin_order": {
                "number": order["order_number"],
                "date": order["order_date"],
                "order_file": order["order_file"],
            },
        }
