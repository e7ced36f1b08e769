"""The public container view: a collection's boxes and what each holds, for researchers
choosing what to request.

``archive:collection-containers`` (``/containers/<repository>/<ead_id>/``) shows only what
the collection's public pages show (``archive.visibility`` via the selector): a collection
that is not public answers 404, as its page does; boxes holding only unpublished or
internal material are left out.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from archive import selectors
from archive.selectors.containers import container_page


@require_safe
def collection_containers(request: HttpRequest, repository: str, ead_id: str) -> HttpResponse:
    collection = selectors.collection_head(repository_code=repository, ead_id=ead_id)
    listing = container_page(collection=collection, public=True, number=request.GET.get("page"))
    context = {
        "collection": collection,
        "repository": collection.repository,
        "unit": collection.root,
        "listing": listing,
    }
    return render(request, "archive/collection_containers.html", context)
