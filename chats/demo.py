"""Demo chats beside those the structure builds: the director's management chats, a curator's own chat, and a few
posts, so that every kind of chat can be looked at. Running it again creates nothing twice."""

from orgs.demo_data import DEMO_ACCOUNTS
from orgs.models import CuratorAssignment, Membership, Organisation, ParentLink, Placement
from orgs.selectors import administrators

from .models import Chat
from .services.channels import channel_create
from .services.manage import chat_create
from .services.messages import message_post
from .services.polls import poll_create

Kind = Chat.Kind
Role = Membership.Role


def _director(organisation: Organisation):
    membership = (
        Membership.objects.filter(
            organisation=organisation,
            role=Role.TEACHER,
            position=Membership.Position.DIRECTOR,
            valid_to__isnull=True,
        )
        .select_related("user")
        .first()
    )
    return membership.user if membership else None


def _one_per_class(rows) -> list[int]:
    """The first person of each class, in class order: a committee or a council with a voice from every class."""
    seen, picked = set(), []
    for group_id, user_id in rows:
        if group_id not in seen:
            seen.add(group_id)
            picked.append(user_id)
    return picked


def demo_chats_load(*, organisation: Organisation) -> list[Chat]:
    """Create the organisation's demo management and other chats where missing; returns those created."""
    director = _director(organisation)
    if director is None:
        return []
    existing = set(Chat.objects.filter(organisation=organisation).values_list("kind", "title"))
    placements = Placement.objects.filter(organisation=organisation, valid_to__isnull=True).order_by(
        "group__grade", "group__name", "student__last_name", "pk"
    )
    students = _one_per_class(placements.values_list("group_id", "student_id"))
    parent_of = dict(
        ParentLink.objects.filter(organisation=organisation, valid_to__isnull=True)
        .order_by("pk")
        .values_list("child_id", "parent_id")
    )
    parents = _one_per_class(
        (group_id, parent_of[student_id])
        for group_id, student_id in placements.values_list("group_id", "student_id")
        if student_id in parent_of
    )
    wanted = [
        (Kind.MGMT_DEPUTIES, "Руководитель и заместители", ()),
        (Kind.MGMT_TEACHERS, "Руководитель и педагоги", ()),
        (Kind.MGMT_PARENTS_COMMITTEE, "Родительский комитет", parents),
        (Kind.MGMT_STUDENT_COUNCIL, "Совет обучающихся", students),
    ]
    created = []
    for kind, title, members in wanted:
        if (kind, title) not in existing:
            created.append(
                chat_create(organisation=organisation, actor=director, kind=kind, title=title, member_ids=members)
            )
    created += _curators_chat(organisation, existing)
    created += _extra_channel(organisation, existing)
    if created:
        _first_posts(organisation, director)
    return created


def _extra_channel(organisation: Organisation, existing) -> list[Chat]:
    """An administrator adds a channel of the whole organisation beside the system ones."""
    title = "Олимпиады и конкурсы"
    admin = administrators(organisation).order_by("pk").first()
    if admin is None or (Kind.EXTRA_CHANNEL, title) in existing:
        return []
    return [channel_create(organisation=organisation, actor=admin.user, title=title)]


def _curators_chat(organisation: Organisation, existing) -> list[Chat]:
    """A curator with a demo account (else the first class's) starts a chat of their class about the holiday."""
    assignments = (
        CuratorAssignment.objects.filter(organisation=organisation, valid_to__isnull=True, group__is_archived=False)
        .filter(teacher__memberships__verification=Membership.Verification.VERIFIED)
        .select_related("group", "teacher")
        .order_by("group__grade", "group__name")
    )
    demo_phones = [account.phone for account in DEMO_ACCOUNTS]
    assignment = assignments.filter(teacher__phone__in=demo_phones).first() or assignments.first()
    if assignment is None:
        return []
    group = assignment.group
    title = f"{group.name} — подготовка к празднику"
    if (Kind.OTHER, title) in existing:
        return []
    kids = list(
        Placement.objects.filter(group=group, valid_to__isnull=True).order_by("pk").values_list("student_id", flat=True)
    )[:4]
    grown_ups = list(
        ParentLink.objects.filter(child_id__in=kids, valid_to__isnull=True).values_list("parent_id", flat=True)
    )
    if len(kids) < 2:
        return []
    return [
        chat_create(
            organisation=organisation,
            actor=assignment.teacher,
            kind=Kind.OTHER,
            title=title,
            group=group,
            member_ids=[*kids, *grown_ups],
        )
    ]


def _first_posts(organisation: Organisation, director) -> None:
    general = Chat.objects.get(organisation=organisation, kind=Kind.GENERAL_CHANNEL)
    message_post(
        chat=general,
        actor=director,
        text="Добро пожаловать на портал! Здесь — объявления для всех, в чатах классов — новости классов.",
    )
    committee = Chat.objects.filter(organisation=organisation, kind=Kind.MGMT_PARENTS_COMMITTEE).first()
    if committee is not None:
        poll_create(
            chat=committee,
            actor=director,
            question="Когда удобно провести встречу родительского комитета?",
            options=["Во вторник в 18:30", "В четверг в 18:30", "В субботу в 11:00"],
        )
