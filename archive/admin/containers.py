"""The staff container view of a collection: every box with what it holds, internal
material included, for staff who may see the collection (``archive.permissions``)."""

from __future__ import annotations

from typing import Any

from django.contrib.admin import ModelAdmin
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from archive import permissions
from archive.models import Collection
from archive.selectors.containers import container_page


def urls(model_admin: ModelAdmin[Collection]) -> list[URLPattern]:
    """The container view's URL pattern, wrapped by the admin site (sign-in)."""

    def view(request: HttpRequest, collection_id: int) -> HttpResponse:
        return containers_page(model_admin, request, collection_id)

    return [
        path(
            "<int:collection_id>/containers/",
            model_admin.admin_site.admin_view(view),
            name="archive_collection_containers",
        )
    ]


def containers_page(
    model_admin: ModelAdmin[Collection], request: HttpRequest, collection_id: int
) -> HttpResponse:
    collection = (
        permissions.scope(Collection.objects.select_related("repository"), request.user)
        .filter(pk=collection_id)
        .first()
    )
    if collection is None:  # another repository's collection answers as one that does not exist
        raise Http404("No such collection")
    listing = container_page(collection=collection, public=False, number=request.GET.get("page"))
    context: dict[str, Any] = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": f"Boxes of {collection}",
        "collection": collection,
        "listing": listing,
    }
    return TemplateResponse(request, "admin/archive/collection/containers.html", context)
