"""What every organisation-scoped API view shares (public: every app's API uses it): the path prefix of an
organisation's resources, its schema parameter, and the mixin that finds the organisation with the user's rights."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter

from portal.accounts.models import User
from portal.api.fields import parse_int
from portal.api.routers import ID
from portal.exceptions import RuleViolation

from .. import selectors
from ..models import Group, Membership
from ..permissions import require

ORG = rf"orgs/(?P<org_pk>{ID})"  # the path prefix of everything that belongs to one organisation
ORG_PARAM = OpenApiParameter("org_pk", int, OpenApiParameter.PATH, description="id организации")


class OrgScopedMixin:
    """Every nested view works inside one organisation the user may see; others are 404."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.organisation = selectors.organisation_get(request.user, kwargs.get("org_pk"))

    def need(self, perm: str, obj=None):
        require(self.request.user, perm, obj or self.organisation)

    def org_group(self, pk) -> Group:
        return selectors.group_get(self.request.user, self.organisation, pk)

    def org_user(self, pk, role: str, field: str) -> User:
        """A user holding an active role in this organisation; another organisation's user is not found."""
        m = (
            Membership.objects.filter(
                organisation=self.organisation, user_id=parse_int(pk, field), role=role, valid_to__isnull=True
            )
            .select_related("user")
            .first()
        )
        if m is None:
            raise RuleViolation(
                _("Такого участника в организации нет."),
                code="member_not_found",
                fields={field: [_("Не найден среди участников организации.")]},
            )
        return m.user
