"""What stats add to the pages of orgs (registered in StatsConfig.ready() through orgs.hooks)."""

from orgs.hooks import register_page_section

from .models import Area, AreaMethodologist


def methodologist_areas(request, **objects) -> dict:
    """The areas the signed-in person is a methodologist of, for the start page (one query)."""
    user = request.user
    areas = Area.objects.filter(pk__in=AreaMethodologist.objects.filter(user=user).values("area_id"))
    return {"areas": list(areas) if user.is_authenticated else []}


def register() -> None:
    register_page_section("home", "stats/home_areas.html", methodologist_areas)
