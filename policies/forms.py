"""Forms of the documents pages. They parse input; the services decide the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from orgs.models import Membership

from .models import DocumentVersion, ResponsiblePerson
from .services.documents import MAX_CLAUSE_LENGTH

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class VersionCreateForm(forms.Form):
    major = forms.TypedChoiceField(
        label=_("Вид изменения"),
        choices=[
            ("1", _("Новая редакция (x+1.0): сотрудники ознакомятся заново")),
            ("0", _("Правка (x.y+1): без повторного ознакомления")),
        ],
        coerce=lambda v: v == "1",
        initial="1",
        widget=forms.RadioSelect,
    )


class ClauseForm(forms.Form):
    text = forms.CharField(
        label=_("Текст пункта"), max_length=MAX_CLAUSE_LENGTH, widget=forms.Textarea(attrs={"rows": 5})
    )


class AgreementForm(forms.Form):
    body = forms.CharField(label=_("Кем согласовано"), max_length=255, help_text=_("Например: Педагогический совет"))
    protocol_number = forms.CharField(label=_("Номер протокола"), max_length=50)
    protocol_date = forms.DateField(label=_("Дата протокола"), widget=DATE)


class ApprovalForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Способ утверждения"),
        choices=DocumentVersion.ApprovalMethod.choices,
        initial=DocumentVersion.ApprovalMethod.IN_APP,
        widget=forms.RadioSelect,
    )
    order_number = forms.CharField(label=_("Номер приказа"), max_length=50, required=False)
    order_date = forms.DateField(label=_("Дата приказа"), widget=DATE, required=False)
    in_force_from = forms.DateField(
        label=_("Вступает в силу"), widget=DATE, required=False, help_text=_("Если не указано — со дня утверждения.")
    )
    ask_students = forms.BooleanField(
        label=_("Ознакомить обучающихся"),
        required=False,
        help_text=_("Работников портал просит ознакомиться с новой редакцией всегда."),
    )
    ask_parents = forms.BooleanField(label=_("Ознакомить родителей (законных представителей)"), required=False)


class AudienceForm(forms.Form):
    ask_students = forms.BooleanField(label=_("Ознакомить обучающихся"), required=False)
    ask_parents = forms.BooleanField(label=_("Ознакомить родителей (законных представителей)"), required=False)


class PaperAcknowledgementForm(forms.Form):
    person = forms.IntegerField(widget=forms.HiddenInput)
    day = forms.DateField(label=_("Дата подписи"), widget=DATE)


class TermsForm(forms.Form):
    agree = forms.BooleanField(label=_("Пользовательское соглашение прочитано, принимаю его"), required=False)
    personal_data_consent = forms.BooleanField(
        label=_("Я даю согласие на обработку моих персональных данных на условиях соглашения"), required=False
    )


class ResponsibleForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Работник"), queryset=Membership.objects.none())
    duty = forms.ChoiceField(label=_("Обязанность"), choices=ResponsiblePerson.Duty.choices)
    position = forms.CharField(label=_("Должность"), max_length=255)
    valid_from = forms.DateField(label=_("Назначен с"), widget=DATE)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"].help_text = _("Как в приказе: «%(teacher)s информатики»") % {
            "teacher": organisation.vocabulary.teacher
        }
        staff = (
            Membership.objects.filter(
                organisation=organisation,
                role__in=[Membership.Role.TEACHER, Membership.Role.ADMIN],
                valid_to__isnull=True,
            )
            .select_related("user")
            .order_by("user__last_name", "user__first_name", "id")
        )
        self.fields["person"].queryset = staff
        self.fields["person"].label_from_instance = lambda m: f"{m.user.full_name} ({m.get_role_display()})"


class ResponsibleEndForm(forms.Form):
    valid_to = forms.DateField(label=_("Последний день"), widget=DATE)
