"""Reads of the chats app, filtered to what the user may see and prefetched."""

from django.db.models import Case, Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When

from orgs.models import Organisation

from .models import Chat, ChatMember


def chats_for_user(user, organisation: Organisation) -> QuerySet[Chat]:
    """The chats of this organisation the user is an active member of (archived ones too: their history stays),
    each with `member_count`, `my_role` and `owners` (active owners with their users); two queries in all."""
    mine = ChatMember.objects.filter(chat=OuterRef("pk"), user=user, left_at__isnull=True)
    return (
        Chat.objects.filter(organisation=organisation)
        .filter(pk__in=ChatMember.objects.filter(user=user, left_at__isnull=True).values("chat_id"))
        .select_related("group")
        .annotate(
            member_count=Count("members", filter=Q(members__left_at__isnull=True)),
            my_role=Subquery(mine.values("role")[:1]),
        )
        .prefetch_related(
            Prefetch(
                "members",
                queryset=ChatMember.objects.filter(role=ChatMember.Role.OWNER, left_at__isnull=True).select_related(
                    "user"
                ),
                to_attr="owners",
            )
        )
        .order_by("is_archived", "kind", "title", "pk")
    )


def chat_members(chat: Chat) -> QuerySet[ChatMember]:
    """The chat's active members with their users, owners first."""
    order = {ChatMember.Role.OWNER: 0, ChatMember.Role.MODERATOR: 1, ChatMember.Role.MEMBER: 2}

    rank = Case(*(When(role=r, then=Value(n)) for r, n in order.items()), output_field=IntegerField())
    return (
        ChatMember.objects.filter(chat=chat, left_at__isnull=True)
        .select_related("user")
        .annotate(rank=rank)
        .order_by("rank", "user__last_name", "user__first_name", "pk")
    )
