import django_filters
from django.db.models import Q
from django.utils import timezone

from ..models import Invite, InviteRole, JoinRequest

Status = Invite.Status


class InviteFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Status.choices, method="filter_status", label="статус сейчас")
    role = django_filters.ChoiceFilter(choices=InviteRole.choices)
    target_group = django_filters.NumberFilter(label="класс")
    created_by = django_filters.NumberFilter(label="автор")

    class Meta:
        model = Invite
        fields = ["status", "role", "target_group", "created_by"]

    def filter_status(self, queryset, name, value):
        # The status as of now: an active link past its expiry is expired whether or not the job has run.
        now = timezone.now()
        overdue = Q(status=Status.ACTIVE, expires_at__lte=now)
        if value == Status.ACTIVE:
            return queryset.filter(status=Status.ACTIVE, expires_at__gt=now)
        if value == Status.EXPIRED:
            return queryset.filter(Q(status=Status.EXPIRED) | overdue)
        return queryset.filter(status=value)


class JoinRequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=JoinRequest.Status.choices)
    role = django_filters.ChoiceFilter(choices=InviteRole.choices)
    group = django_filters.NumberFilter(label="класс")

    class Meta:
        model = JoinRequest
        fields = ["status", "role", "group"]
