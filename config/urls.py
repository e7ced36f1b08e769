"""Root URLs: the Django admin for archivists, everything else from the archive app.

The admin's prefix comes from FONDS_ADMIN_PATH (default "admin/"); links to it are built with
reverse()/{% url %}, so moving it needs no other change.
"""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path(settings.FONDS_ADMIN_PATH, admin.site.urls),
    path("", include("archive.urls")),
]
