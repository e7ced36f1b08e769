"""Public URLs. Stable: built from the repository code, the collection's EAD id and the
component's machine id, never from database keys."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path, register_converter

from archive import (
    container_views,
    export_views,
    inventory_views,
    pdf_views,
    request_views,
    sitemaps,
    views,
)
from archive.oai import views as oai_views
from archive.paths import IdentifierConverter
from archive.search import views as search_views

register_converter(IdentifierConverter, "id")

app_name = "archive"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", search_views.search, name="search"),
    path("search/facets/<slug:kind>/", search_views.search_facet, name="search_facet"),
    path("repositories/<slug:code>/", views.repository, name="repository"),
    # Every path under a repository's collections is read by archive.paths.locate, which
    # tells an EAD id from a component id by the repository's EAD ids (both may hold slashes).
    # The three named routes after it never match a request (this one comes first): they are
    # how pages, sitemaps and feeds write these URLs with reverse().
    path(
        "collections/<slug:repository>/<path:rest>",
        views.collection_path,
        name="collection-path",
    ),
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
    # The public inventory too (a CSV of the collection's public components).
    path(
        "inventory/<slug:repository>/<id:ead_id>/",
        inventory_views.collection_inventory,
        name="collection-inventory",
    ),
    # The PDF finding aid (built once per version of the finding aid; see archive.pdf_views).
    path("pdf/<slug:repository>/<id:ead_id>/", pdf_views.collection_pdf, name="collection-pdf"),
    # A collection's boxes and what each holds (archive.container_views).
    path(
        "containers/<slug:repository>/<id:ead_id>/",
        container_views.collection_containers,
        name="collection-containers",
    ),
    # Outline batches live under their own prefix so no component id can shadow them.
    path("outline/<slug:repository>/<id:ead_id>/", views.outline, name="outline"),
    path("agents/", views.agents, name="agents"),
    path("agents/<slug:slug>/", views.agent, name="agent"),
    path("agents/<slug:slug>/eac.xml", export_views.agent_eac, name="agent-eac"),
    path("subjects/", views.subjects, name="subjects"),
    path("subjects/<slug:slug>/", views.subject, name="subject"),
    path("requests/", request_views.request_list_page, name="request-list"),
    path("requests/add/", request_views.request_add, name="request-add"),
    path("requests/remove/", request_views.request_remove, name="request-remove"),
    path("requests/submit/", request_views.request_send, name="request-submit"),
    path("requests/sent/", request_views.request_sent, name="request-sent"),
    path("oai", oai_views.oai, name="oai"),
    path("robots.txt", sitemaps.robots, name="robots"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": sitemaps.SITEMAPS, "sitemap_url_name": "archive:sitemap-section"},
        name="sitemap-index",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": sitemaps.SITEMAPS},
        name="sitemap-section",
    ),
]
