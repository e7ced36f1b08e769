"""Public pages. Each view parses the request, calls selectors and renders; no domain logic."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_safe

from archive import conf, export_views, paths, selectors
from archive.models import Component

# Query parameters of the search page (archive/filters.py) used by "search within".
SEARCH_COLLECTION_PARAM = "within"
SEARCH_ONLINE_PARAM = "online"

#: Above this many components the print view lists the first ones and points to the EAD.
PRINT_LIMIT = 5000


def today() -> datetime.date:
    """Today's date for "On this day"; ``settings.FONDS_TODAY`` (ISO date) pins it for demos
    and tests."""
    pinned = conf.today_pinned()
    if pinned:
        return pinned if isinstance(pinned, datetime.date) else datetime.date.fromisoformat(pinned)
    return timezone.localdate()


def _path_param(request: HttpRequest, name: str) -> str | None:
    """A tree-path cursor from the query string; only path characters are accepted."""
    value = request.GET.get(name, "").strip().upper()
    if not value:
        return None
    if len(value) > 255 or not value.isalnum():
        raise Http404("Bad cursor")
    return value


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    day = today()
    return render(
        request,
        "archive/home.html",
        {
            "repositories": selectors.home_repositories(),
            "recent": selectors.recently_updated(),
            "on_this_day": selectors.on_this_day(today=day),
            "today": day,
        },
    )


@require_GET
def repository(request: HttpRequest, code: str) -> HttpResponse:
    repo = selectors.repository_get(code=code)
    page = selectors.repository_collections(repo, page=request.GET.get("page"))
    return render(request, "archive/repository.html", {"repository": repo, "page": page})


def _unit_context(
    request: HttpRequest, unit: Component, ancestry: Sequence[Component]
) -> dict[str, Any]:
    """What the collection and component pages both show about a unit."""
    url = request.build_absolute_uri(unit.get_absolute_url())
    return {
        "unit": unit,
        "ancestors": ancestry,
        "notes": selectors.ordered_notes(unit),
        "abstracts": selectors.notes_of_type(unit, "abstract"),
        "restrictions": selectors.inherited_restrictions(unit, ancestry),
        "languages": selectors.languages(unit),
        "creators": selectors.creators(unit),
        "other_agents": selectors.other_agents(unit),
        "subject_groups": selectors.subjects_by_type(unit),
        "citation": selectors.citation(unit, url=url),
        "page_url": url,
    }


@require_safe
def collection_path(request: HttpRequest, repository: str, rest: str) -> HttpResponseBase:
    """A collection page, component page or EAD download, by what ``rest`` names
    (``archive.paths``); a URL found only once decoded, or without its final slash, is
    redirected to the clean one."""
    found = paths.locate(repository, rest)
    if found is None:
        raise Http404("No such finding aid")
    if found.fmt is not None:
        return export_views.collection_ead(request, repository, found.ead_id, found.fmt)
    if not found.canonical:
        # Only a page the public may open is redirected to: an unpublished one answers 404
        # here as at its own address, so the redirect tells nobody it exists.
        if found.ref:
            selectors.unit_get(repository_code=repository, ead_id=found.ead_id, ref=found.ref)
        else:
            selectors.collection_head(repository_code=repository, ead_id=found.ead_id)
        kwargs = {"repository": repository, "ead_id": found.ead_id}
        name = "archive:collection"
        if found.ref:
            name, kwargs = "archive:component", {**kwargs, "ref": found.ref}
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(
            reverse(name, kwargs=kwargs) + (f"?{query}" if query else "")
        )
    if found.ref:
        return component(request, repository, found.ead_id, found.ref)
    return collection(request, repository, found.ead_id)


@require_GET
def collection(request: HttpRequest, repository: str, ead_id: str) -> HttpResponse:
    coll = selectors.collection_get(repository_code=repository, ead_id=ead_id)
    root = selectors.collection_root(coll)
    context = _unit_context(request, root, [])
    context.update(
        {
            "collection": coll,
            "repository": coll.repository,
            "online_count": selectors.online_item_count(coll),
            "within_param": SEARCH_COLLECTION_PARAM,
            "within_value": coll.pk,
            "online_param": SEARCH_ONLINE_PARAM,
            "online_value": "1",
        }
    )
    if request.GET.get("print"):
        contents, truncated = selectors.collection_contents(coll, limit=PRINT_LIMIT)
        context.update({"contents": contents, "truncated": truncated, "print_limit": PRINT_LIMIT})
        return render(request, "archive/collection_print.html", context)
    context["outline"] = selectors.outline_top(coll)
    return render(request, "archive/collection.html", context)


@require_GET
def component(request: HttpRequest, repository: str, ead_id: str, ref: str) -> HttpResponse:
    unit = selectors.unit_get(repository_code=repository, ead_id=ead_id, ref=ref)
    ancestry = selectors.ancestors(unit)
    coll = unit.collection
    context = _unit_context(request, unit, ancestry)
    outline = selectors.outline_around(unit, ancestry)
    previous, following = selectors.previous_next(unit)
    context.update(
        {
            "collection": coll,
            "repository": coll.repository,
            "outline": outline,
            "previous": previous,
            "next": following,
            "parent": ancestry[-1] if ancestry else None,
        }
    )
    return render(request, "archive/component.html", context)


@require_GET
def outline(request: HttpRequest, repository: str, ead_id: str) -> HttpResponse:
    """A batch of an outline node's children.

    With ``fragment=1`` (sent by outline.js) it is a bare ``<li>`` list to splice into the
    tree; otherwise a full page, so the "show more" links work without JavaScript.
    """
    coll = selectors.collection_head(repository_code=repository, ead_id=ead_id)
    parent = selectors.outline_parent(collection=coll, ref=request.GET.get("node") or None)
    after, before = _path_param(request, "after"), _path_param(request, "before")
    window = selectors.outline_children(parent, after=after, before=before)
    context = {
        "collection": coll,
        "repository": coll.repository,
        "window": window,
        "parent": parent,
    }
    if request.GET.get("fragment"):
        # The batch replaces the link that asked for it: only the link that continues in
        # the same direction comes with it, the other one is already on the page.
        if after:
            window.before = None
        if before:
            window.after = None
        return render(request, "archive/includes/outline_batch.html", context)
    return render(request, "archive/outline_page.html", context)


@require_GET
def agent(request: HttpRequest, slug: str) -> HttpResponse:
    person = selectors.agent_get(slug=slug)
    listing = selectors.agent_found_in(
        person,
        page=request.GET.get("page"),
        role=request.GET.get("role") or None,
        collection=request.GET.get("collection"),
    )
    return render(
        request,
        "archive/agent.html",
        {
            "agent": person,
            "variants": list(person.variant_names.all()),
            "relations": selectors.agent_relations(person),
            "listing": listing,
        },
    )


@require_GET
def subject(request: HttpRequest, slug: str) -> HttpResponse:
    term = selectors.subject_get(slug=slug)
    listing = selectors.subject_found_in(
        term, page=request.GET.get("page"), collection=request.GET.get("collection")
    )
    return render(request, "archive/subject.html", {"subject": term, "listing": listing})


def _browse(
    request: HttpRequest, browse: Callable[..., Any], type_name: str, heading: str, label: str
) -> HttpResponse:
    """An A-Z page: ``browse`` (a selector) by type (its ``type_name`` argument, the ``type``
    parameter), first letter and page."""
    listing = browse(
        **{type_name: request.GET.get("type") or None},
        letter=request.GET.get("letter") or None,
        page=request.GET.get("page"),
    )
    context = {"listing": listing, "heading": heading, "type_label": label}
    return render(request, "archive/browse.html", context)


@require_GET
def agents(request: HttpRequest) -> HttpResponse:
    """Names A-Z ("Names" in the ArchivesSpace public interface)."""
    return _browse(request, selectors.agents_browse, "agent_type", "Names", "Type of name")


@require_GET
def subjects(request: HttpRequest) -> HttpResponse:
    """Subjects A-Z: topics, places, genres and forms..."""
    return _browse(
        request, selectors.subjects_browse, "subject_type", "Subjects", "Type of subject"
    )
