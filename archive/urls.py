"""Public URLs. Stable: built from the repository code, the collection's EAD id and the
component's machine id, never from database keys."""

from django.urls import path

from archive import export_views, views
from archive.search import views as search_views

app_name = "archive"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", search_views.search, name="search"),
    path("repositories/<slug:code>/", views.repository, name="repository"),
    path("collections/<slug:repository>/<str:ead_id>/", views.collection, name="collection"),
    path(
        "collections/<slug:repository>/<str:ead_id>/<str:ref>/",
        views.component,
        name="component",
    ),
    path(
        "collections/<slug:repository>/<str:ead_id>/ead/<str:fmt>.xml",
        export_views.collection_ead,
        name="collection-ead",
    ),
    # Outline batches live under their own prefix so no component id can shadow them.
    path("outline/<slug:repository>/<str:ead_id>/", views.outline, name="outline"),
    path("agents/", views.agents, name="agents"),
    path("agents/<slug:slug>/", views.agent, name="agent"),
    path("subjects/", views.subjects, name="subjects"),
    path("subjects/<slug:slug>/", views.subject, name="subject"),
]
