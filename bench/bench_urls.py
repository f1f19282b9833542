"""The benchmarks' URLconf: the portal's own, plus two floors to read the baseline against.

Mounted only by the benchmarks — gunicorn with `PORTAL_BENCH_FLOOR=1` (bench/gunicorn_bench.py) and bench/paths.py
in its own process — never by the portal's settings or URLs.

- `/bench/floor/`: a bare Django view returning a small JSON, through the whole middleware stack, anonymous;
- `/bench/floor-api/`: the same JSON from a DRF view with the API's own authentication and permissions (the token,
  `IsAuthenticated`, the terms gate), no database work of its own.
"""

from django.http import JsonResponse
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import urls as portal_urls

FLOOR_BODY = {"ok": True}


def floor(request):
    return JsonResponse(FLOOR_BODY)


class ApiFloor(APIView):
    def get(self, request):
        return Response(FLOOR_BODY)


urlpatterns = [
    path("bench/floor/", floor),
    path("bench/floor-api/", ApiFloor.as_view()),
    path("", include(portal_urls)),
]

handler400 = portal_urls.handler400
handler403 = portal_urls.handler403
handler404 = portal_urls.handler404
handler500 = portal_urls.handler500
