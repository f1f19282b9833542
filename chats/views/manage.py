"""Pages for managing chats: creating one (kind and class, then title and members), adding members, archive,
restore and leave buttons, and the administrator's table of every chat of the organisation."""

from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from orgs.models import Group, Organisation
from orgs.permissions import is_admin
from orgs.web import org_page
from portal.exceptions import NotFound, PermissionDenied, PortalError
from portal.web import perform

from .. import selectors
from ..models import Chat
from ..services import manage as services
from ..titles import kind_label
from .chat import chat_for_page

ADMIN_PAGE_SIZE = 50
KIND_LABELS = {
    Chat.Kind.MGMT_DEPUTIES: gettext_lazy("Руководитель и заместители"),
    Chat.Kind.MGMT_TEACHERS: gettext_lazy("Руководитель и педагоги"),
    Chat.Kind.MGMT_PARENTS_COMMITTEE: gettext_lazy("Руководитель и родительский комитет"),
    Chat.Kind.MGMT_STUDENT_COUNCIL: gettext_lazy("Руководитель и совет обучающихся"),
}
OTHER_KIND_LABEL = gettext_lazy("Другой чат (например, для %(group)s)")


def kind_choice_label(kind: str, org: Organisation) -> str:
    """The kinds offered for a new chat; «другой чат» gives its example in the organisation's words."""
    if kind == Chat.Kind.OTHER:
        return OTHER_KIND_LABEL % {"group": org.vocabulary.group_genitive}
    return str(KIND_LABELS[kind])


class ChatKindForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Вид чата"), widget=forms.RadioSelect)
    group = forms.ChoiceField(required=False)

    def __init__(self, *args, org, kinds, groups, admin, **kwargs):
        super().__init__(*args, **kwargs)
        words = org.vocabulary
        self.fields["kind"].choices = [(k, kind_choice_label(k, org)) for k in kinds]
        self.fields["group"].label = str(words.group).capitalize()
        empty = _("— без %(group)s —") if admin else _("— выберите %(group)s —")
        empty %= {"group": words.group_genitive if admin else words.group_accusative}
        self.fields["group"].choices = [("", empty)] + [(str(g.pk), g.name) for g in groups]
        self.fields["group"].help_text = _(
            "Только для другого чата; чаты руководителя не привязываются к %(group)s."
        ) % {"group": words.group_dative}


class ChatTitleForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Название"), max_length=services.TITLE_MAX, required=False)


class ChatFilterForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Вид"), required=False)
    group = forms.ChoiceField(required=False)
    archived = forms.ChoiceField(
        label=gettext_lazy("Состояние"),
        required=False,
        choices=[("", gettext_lazy("Все")), ("no", gettext_lazy("Действующие")), ("yes", gettext_lazy("В архиве"))],
    )
    q = forms.CharField(label=gettext_lazy("Название содержит"), required=False, max_length=100)

    def __init__(self, *args, org, groups, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = [(k, kind_label(k, org).capitalize()) for k, _label in Chat.Kind.choices]
        self.fields["kind"].choices = [("", _("Все виды"))] + kinds
        self.fields["group"].label = str(org.vocabulary.group).capitalize()
        all_groups = _("Все %(groups)s") % {"groups": org.vocabulary.groups}
        self.fields["group"].choices = [("", all_groups)] + [(str(g.pk), g.name) for g in groups]


def _raise_for(error: PortalError):
    if isinstance(error, NotFound):
        raise Http404
    if isinstance(error, PermissionDenied):
        raise DjangoPermissionDenied(error.message)


def _group_from(org: Organisation, value) -> Group | None:
    """The class named by a form value; any id that is not a class of this organisation is not found."""
    value = (value or "").strip()
    if not value:
        return None
    group = Group.objects.filter(organisation=org, pk=int(value)).first() if value.isdigit() else None
    if group is None:
        raise Http404
    return group


def _checked(request) -> set[int]:
    return {int(v) for v in request.POST.getlist("members") if v.isdigit()}


@org_page()
@require_http_methods(["GET", "POST"])
def chat_create_view(request, org):
    kinds = services.creatable_kinds(request.user, org)
    if not kinds:
        raise DjangoPermissionDenied
    admin = request.user.has_perm("orgs.create_chats", org)
    groups = list(services.groups_for_chat_creation(request.user, org))
    data = request.POST if request.method == "POST" else request.GET
    kind_form = ChatKindForm(data if "kind" in data else None, org=org, kinds=kinds, groups=groups, admin=admin)
    context = {"kind_form": kind_form, "step": 1}
    if "kind" not in data:
        return render(request, "chats/chat_form.html", context)
    kind = data.get("kind", "")
    # A class chosen by the way for a chat of the director is not a mistake worth a page: it is left out.
    group = None if kind in Chat.MANAGEMENT_KINDS else _group_from(org, data.get("group"))
    try:
        services.chat_create_check(organisation=org, actor=request.user, kind=kind, group=group)
    except PortalError as error:
        _raise_for(error)
        kind_form.is_valid()
        kind_form.add_error(None, error.message)
        return render(request, "chats/chat_form.html", context)
    title_form = ChatTitleForm(request.POST if request.method == "POST" else None)
    if kind == Chat.Kind.OTHER:
        title_form.fields["title"].required = True
    else:
        default = str(Chat.Kind(kind).label).capitalize()
        title_form.fields["title"].help_text = _("Если не указать, чат будет называться «%(title)s».") % {
            "title": default
        }
    if request.method == "POST" and title_form.is_valid():
        chat, ok = perform(
            request,
            lambda: services.chat_create(
                organisation=org,
                actor=request.user,
                kind=kind,
                title=title_form.cleaned_data["title"],
                group=group,
                member_ids=sorted(_checked(request)),
            ),
            "",
        )
        if ok:
            flash.success(request, _("Чат «%(title)s» создан.") % {"title": chat.title})
            return redirect("chats:chat", chat.pk)
        # perform() put the reason on the page; the choices stay as they were.
    pool = services.member_pool(organisation=org, kind=kind, group=group)
    pool.pop(request.user.pk, None)
    if request.method == "POST":
        checked = _checked(request)
    else:
        checked = services.default_member_ids(organisation=org, kind=kind)
    context.update(
        step=2,
        kind=kind,
        kind_label=kind_choice_label(kind, org),
        group=group,
        title_form=title_form,
        sections=selectors.member_picker(org, pool, checked),
    )
    return render(request, "chats/chat_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def members_add_view(request, chat_id):
    chat = chat_for_page(request, chat_id)
    try:
        services.require_members_addable(chat=chat, actor=request.user)
    except PortalError as error:
        _raise_for(error)
        flash.error(request, error.message)
        return redirect("chats:chat", chat.pk)
    if request.method == "POST":
        rows, ok = perform(
            request,
            lambda: services.chat_members_add(chat=chat, actor=request.user, user_ids=sorted(_checked(request))),
            "",
        )
        if ok:
            flash.success(request, _("Участники добавлены: %(n)s.") % {"n": len(rows)})
            return redirect("chats:chat", chat.pk)
    checked = _checked(request) if request.method == "POST" else set()
    pool = selectors.chat_member_candidates(chat)  # what the API's members/candidates/ answers
    context = {"chat": chat, "sections": selectors.member_picker(chat.organisation, pool, checked)}
    return render(request, "chats/members_add.html", context)


def _chat_action(request, chat_id, action, success: str) -> tuple[Chat, bool]:
    chat = chat_for_page(request, chat_id)
    try:
        action(chat=chat, actor=request.user)
    except PortalError as error:
        _raise_for(error)
        flash.error(request, error.message)
        return chat, False
    flash.success(request, success)
    return chat, True


@login_required
@require_POST
def chat_archive_view(request, chat_id):
    chat, _done = _chat_action(
        request, chat_id, services.chat_archive, _("Чат перенесён в архив: писать в него нельзя.")
    )
    return redirect("chats:chat", chat.pk)


@login_required
@require_POST
def chat_restore_view(request, chat_id):
    chat, _done = _chat_action(request, chat_id, services.chat_restore, _("Чат возвращён из архива."))
    return redirect("chats:chat", chat.pk)


@login_required
@require_POST
def chat_leave_view(request, chat_id):
    chat, done = _chat_action(request, chat_id, services.chat_leave, _("Вы вышли из чата."))
    return redirect("chats:chat_list", chat.organisation_id) if done else redirect("chats:chat", chat.pk)


@org_page()
def chats_admin_view(request, org):
    if not is_admin(request.user, org.pk):
        raise DjangoPermissionDenied
    classes = Group.objects.filter(organisation=org, kind=Group.Kind.CLASS).order_by("is_archived", "grade", "name")
    form = ChatFilterForm(request.GET or None, org=org, groups=classes)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    archived = {"yes": True, "no": False}.get(data.get("archived") or "")
    chats = selectors.chats_for_admin(
        org,
        kind=data.get("kind") or None,
        group_id=int(data["group"]) if data.get("group") else None,
        archived=archived,
        q=data.get("q", ""),
    )
    page = Paginator(chats, ADMIN_PAGE_SIZE).get_page(request.GET.get("page"))
    zone = ZoneInfo(org.time_zone)
    rows = [(chat, f"{timezone.localtime(chat.last_activity, zone):%d.%m.%Y %H:%M}") for chat in page.object_list]
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "can_create": bool(services.creatable_kinds(request.user, org)),
    }
    return render(request, "chats/admin_list.html", context)
