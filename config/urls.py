"""Root URLs: the Django admin for archivists, everything else from the archive app.

The admin's prefix comes from FONDS_ADMIN_PATH (default "admin/"); links to it are built with
reverse()/{% url %}, so moving it needs no other change.
"""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from archive.admin.view_on_site import view_on_site_view
from archive.api.app import api, not_found

urlpatterns = [
    # Before the admin's own URLs: its "View on site" redirect, checked against permissions.
    path(
        f"{settings.FONDS_ADMIN_PATH}r/<int:content_type_id>/<path:object_id>/",
        view_on_site_view,
        name="view-on-site",
    ),
    path(settings.FONDS_ADMIN_PATH, admin.site.urls),
    path("api/", api.urls),
    path("api/<path:rest>", not_found),
    path("", include("archive.urls")),
]
