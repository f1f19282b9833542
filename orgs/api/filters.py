import django_filters

from portal.api.filters import IdFilter

from ..models import AuditEntry, Group, Membership


class GroupFilter(django_filters.FilterSet):
    archived = django_filters.BooleanFilter(field_name="is_archived")

    class Meta:
        model = Group
        fields = ["kind", "academic_year", "grade", "parent"]


class MembershipFilter(django_filters.FilterSet):
    group = IdFilter(method="filter_group", label="класс")
    active = django_filters.BooleanFilter(field_name="valid_to", lookup_expr="isnull", label="действующие")

    class Meta:
        model = Membership
        fields = ["role", "position", "verification"]

    def filter_group(self, queryset, name, value):
        return queryset.filter(
            user__placements__group_id=value, user__placements__valid_to__isnull=True
        ) | queryset.filter(
            user__children_links__child__placements__group_id=value,
            user__children_links__valid_to__isnull=True,
            user__children_links__child__placements__valid_to__isnull=True,
            role="parent",
        )


class AuditFilter(django_filters.FilterSet):
    since = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    until = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    action = django_filters.CharFilter(lookup_expr="startswith")

    class Meta:
        model = AuditEntry
        fields = ["actor"]
