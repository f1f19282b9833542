import django_filters

from portal.api.filters import IdFilter

from ..models import AuditEntry, Group, Membership
from ..selectors import class_members


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
