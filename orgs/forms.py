"""Forms of the organisation pages. They parse input; the services decide the rules."""

from django import forms
from django.db import models
from django.forms.models import fields_for_model
from django.utils.translation import gettext_lazy as _

from portal.accounts.phones import normalize_phone

from .models import AcademicYear, Group, Membership, Organisation, RegistrationApplication
from .services.structure import PROFILE_EDITABLE


def _formfield(model_field, **kwargs):
    # Addresses typed without a scheme are taken as https.
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return model_field.formfield(**kwargs)


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _capitalise_labels(form):
    for field in form.fields.values():
        if field.label:
            field.label = str(field.label)[:1].upper() + str(field.label)[1:]


class ApplicationForm(forms.ModelForm):
    """«Заявка на регистрацию»: stored by application_submit, never by form.save()."""

    # People type numbers with spaces and brackets; the stored E.164 form is shorter.
    admin_phone = forms.CharField(
        label=_("Личный мобильный телефон администратора"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )

    class Meta:
        model = RegistrationApplication
        formfield_callback = _formfield
        fields = [
            "kind", "full_name", "short_name", "address", "region", "municipality", "contact_phone",
            "contact_email", "website", "time_zone", "admin_last_name", "admin_first_name", "admin_patronymic",
            "admin_email", "admin_phone", "order_file",
        ]  # fmt: skip
        widgets = {
            "admin_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "order_file": forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/*"}),
        }
        help_texts = {
            "short_name": _("Как организацию называют в повседневной речи, например «Школа № 1»."),
            "admin_phone": _("На этот номер придёт код для первого входа."),
            "order_file": _("PDF, JPEG или PNG, не более 10 МБ."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _capitalise_labels(self)
        self.fields["kind"].choices = [("", _("— выберите —")), *Organisation._meta.get_field("kind").choices]

    def clean_admin_phone(self):
        return normalize_phone(self.cleaned_data["admin_phone"])

    def clean_admin_email(self):
        return self.cleaned_data["admin_email"].strip().lower()


class ProfileForm(forms.Form):
    """The organisation's editable profile; the kind is fixed at registration."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Organisation, fields=PROFILE_EDITABLE, formfield_callback=_formfield))
        _capitalise_labels(self)


class AcademicYearForm(forms.Form):
    name = forms.CharField(label=_("Учебный год"), max_length=20, help_text=_("Например, 2026/2027."))
    starts_on = forms.DateField(label=_("Начало"), widget=DATE)
    ends_on = forms.DateField(label=_("Окончание"), widget=DATE)
    is_current = forms.BooleanField(label=_("Текущий учебный год"), required=False, initial=True)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("starts_on") and cleaned.get("ends_on") and cleaned["ends_on"] <= cleaned["starts_on"]:
            self.add_error("ends_on", _("Учебный год должен заканчиваться позже, чем начинается."))
        return cleaned


def _divisions(org, exclude=None):
    qs = Group.objects.filter(organisation=org, kind=Group.Kind.DIVISION, is_archived=False).order_by("name")
    return qs.exclude(pk=exclude.pk) if exclude is not None else qs


class NamedGroupForm(forms.Form):
    """A division or a club: a name and, optionally, the division it belongs to."""

    name = forms.CharField(label=_("Название"), max_length=150)
    parent = forms.ModelChoiceField(
        label=_("Входит в подразделение"), queryset=Group.objects.none(), required=False, empty_label=_("— нет —")
    )

    def __init__(self, *args, org, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = _divisions(org, exclude=group)


class ClassForm(forms.Form):
    """A class («5А») or a study group («ЭС-21»): the words follow the organisation's kind."""

    grade = forms.IntegerField(min_value=0, max_value=12, required=False)
    letter = forms.CharField(max_length=15, required=False)
    academic_year = forms.ModelChoiceField(label=_("Учебный год"), queryset=AcademicYear.objects.none())
    parent = forms.ModelChoiceField(
        label=_("Входит в подразделение"), queryset=Group.objects.none(), required=False, empty_label=_("— нет —")
    )

    def __init__(self, *args, org, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        vocab = org.vocabulary
        school = org.kind == "school"
        self.fields["grade"].label = vocab.grade[:1].upper() + vocab.grade[1:]
        self.fields["grade"].required = school
        self.fields["letter"].label = _("Литера") if school else _("Название (шифр) группы")
        self.fields["letter"].help_text = _("Например, А — получится «5А».") if school else _("Например, ЭС-21.")
        self.fields["letter"].required = not school
        self.fields["parent"].queryset = _divisions(org)
        if editing:
            del self.fields["academic_year"]
        else:
            self.fields["academic_year"].queryset = org.academic_years.all()
            current = org.academic_years.filter(is_current=True).first()
            if current:
                self.fields["academic_year"].initial = current.pk


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Причина"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


class EndMembershipForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices, required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Основание"), max_length=255, required=False, help_text=_("Например, номер и дата приказа.")
    )


def _classes(org):
    return (
        Group.objects.filter(organisation=org, kind=Group.Kind.CLASS, is_archived=False)
        .select_related("academic_year")
        .order_by("grade", "name")
    )


class ClassChoiceForm(forms.Form):
    group = forms.ModelChoiceField(queryset=Group.objects.none())

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = _classes(org)
        self.fields["group"].label = org.vocabulary.group[:1].upper() + org.vocabulary.group[1:]


class TeachingForm(ClassChoiceForm):
    subject = forms.CharField(label=_("Предмет"), max_length=150)


class AdminOrderForm(forms.Form):
    """«Приказ о назначении администратора»: number and date required, the file (PDF, JPEG, PNG) when at hand."""

    order_number = forms.CharField(
        label=_("Номер приказа о назначении"),
        max_length=50,
        error_messages={"required": _("Укажите номер приказа.")},
    )
    order_date = forms.DateField(
        label=_("Дата приказа"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Укажите дату приказа."), "invalid": _("Введите дату.")},
    )

    def __init__(self, *args, with_file=False, **kwargs):
        super().__init__(*args, **kwargs)
        if with_file:
            self.fields["order_file"] = forms.FileField(
                label=_("Файл приказа"),
                required=False,
                help_text=_("PDF, JPEG или PNG, не более 10 МБ."),
                widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/*"}),
            )

    def order(self) -> dict:
        data = self.cleaned_data
        return {
            "order_number": data["order_number"],
            "order_date": data["order_date"],
            "order_file": data.get("order_file"),
        }


class AppointAdminForm(AdminOrderForm):
    membership = forms.ModelChoiceField(label=_("Педагог"), queryset=Membership.objects.none())
    field_order = ["membership", "order_number", "order_date", "order_file"]

    def __init__(self, *args, org, candidates, **kwargs):
        super().__init__(*args, with_file=True, **kwargs)
        self.order_fields(self.field_order)
        self.fields["membership"].queryset = candidates
        self.fields["membership"].label_from_instance = lambda m: m.user.full_name
        self.fields["membership"].label = org.vocabulary.teacher[:1].upper() + org.vocabulary.teacher[1:]


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("Поиск по имени"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("Роль"), required=False)
    group = forms.ModelChoiceField(queryset=Group.objects.none(), required=False, empty_label=_("все"))
    verification = forms.ChoiceField(label=_("Подтверждение"), required=False)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", _("все")), *Membership.Role.choices]
        self.fields["verification"].choices = [
            ("", _("все")),
            (Membership.Verification.PENDING, _("ожидают подтверждения")),
            (Membership.Verification.VERIFIED, _("подтверждены")),
            (Membership.Verification.REJECTED, _("отклонены")),
        ]
        self.fields["group"].queryset = _classes(org)
        self.fields["group"].label = org.vocabulary.group[:1].upper() + org.vocabulary.group[1:]


class MovementForm(forms.Form):
    """One movement of a member: its kind, its reason, and what the kind needs (a class, a position, a school)."""

    kind = forms.ChoiceField(label=_("Вид движения"))
    reason = forms.CharField(
        label=_("Основание"), max_length=255, required=False, help_text=_("Например, номер и дата приказа.")
    )
    group = forms.ModelChoiceField(queryset=Group.objects.none(), required=False)
    position = forms.ChoiceField(label=_("Новая должность"), required=False)
    target = forms.ModelChoiceField(
        label=_("Организация, в которую переводится"), queryset=Organisation.objects.none(), required=False
    )

    def __init__(self, *args, org, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds
        self.fields["group"].queryset = _classes(org)
        self.fields["group"].label = _("Класс или группа (для зачисления и перевода)")
        self.fields["position"].choices = [("", _("— не меняется —")), *Membership.Position.choices[1:]]
        self.fields["target"].queryset = Organisation.objects.filter(is_active=True).exclude(pk=org.pk)


class HireForm(forms.Form):
    """«Приём на работу»: a new member of staff, found by phone or e-mail or created."""

    last_name = forms.CharField(label=_("Фамилия"), max_length=100)
    first_name = forms.CharField(label=_("Имя"), max_length=100)
    patronymic = forms.CharField(label=_("Отчество"), max_length=100, required=False)
    phone = forms.CharField(label=_("Телефон"), max_length=32, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    position = forms.ChoiceField(label=_("Должность"), choices=Membership.Position.choices[1:])

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("phone") and not cleaned.get("email"):
            self.add_error("phone", _("Укажите телефон или e-mail."))
        return cleaned


class TransferDecisionForm(forms.Form):
    group = forms.ModelChoiceField(queryset=Group.objects.none(), required=False)
    note = forms.CharField(label=_("Комментарий (при отказе)"), max_length=255, required=False)

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = _classes(org)
        self.fields["group"].label = _("Зачислить в класс или группу")
