import django_filters
from django import forms

from ..models import AuditEntry, Group, Membership
from ..selectors import class_members

MAX_ID = 2**63 - 1  # bigint: a larger number cannot be an id and must not reach the database


class IdFilter(django_filters.NumberFilter):
    """A whole positive number that fits an id column; anything else is a 400, not a database overflow."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class GroupFilter(django_filters.FilterSet):
    archived = django_filters.BooleanFilter(field_name="is_archived")

    class Meta:
        model = Group
        fields = ["kind", "academic_year", "grade", "parent"]


class MembershipFilter(django_filters.FilterSet):
    group = IdFilter(
        method="filter_group",
        label="класс: его обучающиеся, их родители, куратор (классный руководитель) и учителя, ведущие в нём занятия",
    )
    active = django_filters.BooleanFilter(field_name="valid_to", lookup_expr="isnull", label="действующие")

    class Meta:
        model = Membership
        fields = ["role", "position", "verification"]

    def filter_group(self, queryset, name, value):
        # The people of the class as its page lists them (orgs.selectors.class_people): its students, their parents,
        # its curator and the teachers who teach it.
        group = Group.objects.filter(pk=value, kind=Group.Kind.CLASS).first()
        return queryset.filter(class_members(group)) if group is not None else queryset.none()


class AuditFilter(django_filters.FilterSet):
    since = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    action = django_filters.CharFilter(lookup_expr="startswith")

    class Meta:
        model = AuditEntry
        fields = ["actor"]
