import django_filters
from django.db.models import Q
from django.utils import timezone

from portal.api.filters import IdFilter

from ..models import Invite, InviteRole, JoinRequest

Status = Invite.Status


def status_now(queryset, value):
    """Invites whose status as of now is `value`: an active link past its expiry is expired, job or no job."""
    now = timezone.now()
    if value == Status.ACTIVE:
        return queryset.filter(status=Status.ACTIVE, expires_at__gt=now)
    if value == Status.EXPIRED:
        return queryset.filter(Q(status=Status.EXPIRED) | Q(status=Status.ACTIVE, expires_at__lte=now))
    return queryset.filter(status=value)


class InviteFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices, method="filter_status", label="статус сейчас")
    role = django_filters.ChoiceFilter(choices=InviteRole.choices)
    target_group = IdFilter(label="класс")
    target_chat = IdFilter(label="чат")
    created_by = IdFilter(label="автор")

    class Meta:
        model = Invite
        fields = ["status", "role", "target_group", "target_chat", "created_by"]

    def filter_status(self, queryset, name, value):
        return status_now(queryset, value)


class JoinRequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=JoinRequest.Status.choices)
    role = django_filters.ChoiceFilter(choices=InviteRole.choices)
    group = IdFilter(label="класс")

    class Meta:
        model = JoinRequest
        fields = ["status", "role", "group"]
