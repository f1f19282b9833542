import posixpath

from django.conf import settings
from django.contrib import admin
from django.http import Http404
from django.urls import include, path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

admin.site.site_header = "Портал: оператор платформы"
admin.site.site_title = "Портал"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("portal.accounts.urls")),
    path("api/v1/", include("portal.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file (?script), not inline: the page keeps the strict CSP.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    path("", include("invites.urls")),
    path("", include("policies.urls")),
    path("", include("chats.urls")),
    path("", include("stats.urls")),
    path("", include("safety.urls")),
    path("", include("roster.urls")),
    path("", include("orgs.urls")),
]

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"

if settings.DEBUG:

    def media(request, path):
        # Chat files (MEDIA_ROOT/chats) are served only by chats.views.attachments, which checks who asks, even
        # here; the path is normalised as serve() does, so that «x/../chats/…» cannot slip past.
        if posixpath.normpath(path).lstrip("/").split("/")[0].lower() == "chats":
            raise Http404
        return serve(request, path, document_root=settings.MEDIA_ROOT)

    urlpatterns.append(path("media/<path:path>", media))
