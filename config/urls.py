"""Root URLs: the Django admin for archivists, everything else from the archive app."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("archive.urls")),
]
