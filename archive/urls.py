"""Public URLs. Stable: built from the repository code, the collection's EAD id and the
component's machine id, never from database keys."""

from urllib.parse import quote, unquote

from django.urls import path, register_converter

from archive import export_views, views
from archive.oai import views as oai_views
from archive.search import views as search_views


class IdentifierConverter:
    """An EAD id or component id: one path segment, whatever characters the id holds.

    Identifiers from real finding aids contain slashes ("01/CollectionMgr..."), spaces and
    colons. The id is percent-encoded whole, so a slash can never split it into two segments;
    the request path arrives decoded once and the converter decodes the id itself.
    """

    regex = "[^/]+"

    def to_python(self, value: str) -> str:
        return unquote(value)

    def to_url(self, value: str) -> str:
        return quote(value, safe="")


register_converter(IdentifierConverter, "id")

app_name = "archive"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", search_views.search, name="search"),
    path("repositories/<slug:code>/", views.repository, name="repository"),
    path("collections/<slug:repository>/<id:ead_id>/", views.collection, name="collection"),
    path(
        "collections/<slug:repository>/<id:ead_id>/<id:ref>/",
        views.component,
        name="component",
    ),
    path(
        "collections/<slug:repository>/<id:ead_id>/ead/<str:fmt>.xml",
        export_views.collection_ead,
        name="collection-ead",
    ),
    # Outline batches live under their own prefix so no component id can shadow them.
    path("outline/<slug:repository>/<id:ead_id>/", views.outline, name="outline"),
    path("agents/", views.agents, name="agents"),
    path("agents/<slug:slug>/", views.agent, name="agent"),
    path("agents/<slug:slug>/eac.xml", export_views.agent_eac, name="agent-eac"),
    path("subjects/", views.subjects, name="subjects"),
    path("subjects/<slug:slug>/", views.subject, name="subject"),
    path("oai", oai_views.oai, name="oai"),
]
