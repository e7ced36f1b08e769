"""The outline editor: a collection's tree in the admin, one level at a time.

URLs (under ``admin/archive/collection/<collection_id>/outline/``):

- ``""`` (``?node=<id>&page=<n>``): the children of a node (the root by default), paged, with
  the trail of its ancestors; every row links to edit, add a child, add a sibling after it,
  move it up or down, move it elsewhere, publish or unpublish it with everything below, and
  open its own children. A form posts a new order of the page's rows.
- ``<node>/children/``: the same rows as an HTML fragment, for the script that expands nodes
  in place (lazy loading); the page works without it.
- ``<node>/shift/``, ``<node>/reorder/``, ``<node>/publish/`` (POST) and ``<node>/move/``
  (GET a form that finds the target, POST the move).
- ``<node>/selection/`` (POST): move, publish, unpublish or delete the rows ticked on the
  node's page (checkboxes; shift-click ticks a range) in one action; a delete asks first,
  with the true counts of what goes.

Every view checks the collection is in the user's repositories (``archive.permissions``) and
calls a service from ``archive.services``; none changes the tree itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from archive import permissions, tree
from archive.models import Collection, Component
from archive.services import outline, publishing

PAGE_SIZE = 100

#: An outline view: the collection's model admin, the request, then the ids from the URL.
OutlineView = Callable[..., HttpResponse]


def urls(model_admin: ModelAdmin[Collection]) -> list[URLPattern]:
    """The outline's URL patterns, each view wrapped by the admin site (sign-in, CSRF)."""
    wrap = model_admin.admin_site.admin_view

    def view(func: OutlineView) -> Callable[..., HttpResponse]:
        def bound(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            return func(model_admin, request, *args, **kwargs)

        return wrap(bound)

    return [
        path("<int:collection_id>/outline/", view(outline_page), name="archive_collection_outline"),
        path(
            "<int:collection_id>/outline/<int:node_id>/children/",
            view(children_fragment),
            name="archive_collection_outline_children",
        ),
        path(
            "<int:collection_id>/outline/<int:node_id>/shift/",
            view(shift),
            name="archive_collection_outline_shift",
        ),
        path(
            "<int:collection_id>/outline/<int:node_id>/reorder/",
            view(reorder),
            name="archive_collection_outline_reorder",
        ),
        path(
            "<int:collection_id>/outline/<int:node_id>/publish/",
            view(publish),
            name="archive_collection_outline_publish",
        ),
        path(
            "<int:collection_id>/outline/<int:node_id>/move/",
            view(move),
            name="archive_collection_outline_move",
        ),
        path(
            "<int:collection_id>/outline/<int:node_id>/selection/",
            view(selection),
            name="archive_collection_outline_selection",
        ),
    ]


# --- helpers ------------------------------------------------------------------------------------


def post_only(func: OutlineView) -> OutlineView:
    """Like ``require_POST``, for views that take the model admin first."""

    def wrapped(
        model_admin: ModelAdmin[Collection], request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        return func(model_admin, request, *args, **kwargs)

    return wrapped


def _collection(
    model_admin: ModelAdmin[Collection], request: HttpRequest, collection_id: int
) -> Collection:
    """The collection, if the user may see it (404 otherwise: no hint that it exists)."""
    qs = permissions.scope(Collection.objects.select_related("repository"), request.user)
    return get_object_or_404(qs, pk=collection_id)


def _node(collection: Collection, node_id: int | str | None) -> Component:
    if node_id in (None, ""):
        node = collection.components.filter(depth=1).first()
    else:
        node = collection.components.filter(pk=node_id).first()
    if node is None:
        raise Http404("No such component in this collection.")
    return node


def _outline_url(collection: Collection, node: Component | None = None, page: int = 1) -> str:
    url = reverse("admin:archive_collection_outline", args=[collection.pk])
    params = []
    if node is not None and node.depth > 1:
        params.append(f"node={node.pk}")
    if page > 1:
        params.append(f"page={page}")
    return url + ("?" + "&".join(params) if params else "")


def _back(request: HttpRequest, collection: Collection, node: Component) -> HttpResponseRedirect:
    nxt = request.POST.get("next", "")
    admin_prefix = reverse("admin:index")
    if nxt.startswith(admin_prefix) and "//" not in nxt:
        return HttpResponseRedirect(nxt)
    return HttpResponseRedirect(_outline_url(collection, node))


def _rows(
    collection: Collection, parent: Component, page_number: int | str
) -> tuple[Page[Component], list[tuple[int, Component]]]:
    """A page of ``parent``'s children, each with its 1-based place among all of them."""
    paginator = Paginator(tree.children(parent), PAGE_SIZE)
    page = paginator.get_page(page_number)
    offset = page.start_index() - 1 if paginator.count else 0
    rows = [(offset + i, unit) for i, unit in enumerate(page.object_list, start=1)]
    return page, rows


def _row_context(
    model_admin: ModelAdmin[Collection],
    request: HttpRequest,
    collection: Collection,
    parent: Component,
    page_number: int | str,
) -> dict[str, Any]:
    """What the outline's rows need, for the whole page and the lazy-loaded fragment alike."""
    page, rows = _rows(collection, parent, page_number)
    return {
        "collection": collection,
        "parent": parent,
        "page": page,
        "rows": rows,
        "can_edit": permissions.can_edit(request.user, collection),
        "add_url": reverse("admin:archive_component_add"),
        "outline_url": reverse("admin:archive_collection_outline", args=[collection.pk]),
    }


# --- views --------------------------------------------------------------------------------------


def outline_page(
    model_admin: ModelAdmin[Collection], request: HttpRequest, collection_id: int
) -> HttpResponse:
    collection = _collection(model_admin, request, collection_id)
    node = _node(collection, request.GET.get("node"))
    context = {
        **model_admin.admin_site.each_context(request),
        **_row_context(model_admin, request, collection, node, request.GET.get("page") or 1),
        "opts": Collection._meta,
        "title": f"Outline: {collection}",
        "trail": list(tree.ancestors(node)) + [node],
        "node": node,
        "move_targets": move_targets(request, collection),
    }
    return TemplateResponse(request, "admin/archive/collection/outline.html", context)


def children_fragment(
    model_admin: ModelAdmin[Collection], request: HttpRequest, collection_id: int, node_id: int
) -> HttpResponse:
    collection = _collection(model_admin, request, collection_id)
    node = _node(collection, node_id)
    context = _row_context(model_admin, request, collection, node, request.GET.get("page") or 1)
    return TemplateResponse(request, "admin/archive/collection/outline_rows.html", context)


def _editable(request: HttpRequest, collection: Collection) -> None:
    if not permissions.can_edit(request.user, collection):
        raise PermissionDenied


def _editable_node(
    model_admin: ModelAdmin[Collection], request: HttpRequest, collection_id: int, node_id: int
) -> tuple[Collection, Component]:
    """The collection and the node a change is asked for; PermissionDenied unless the user
    may edit the collection, 404 when either is not there for them."""
    collection = _collection(model_admin, request, collection_id)
    _editable(request, collection)
    return collection, _node(collection, node_id)


def _report(request: HttpRequest, exc: ValidationError) -> None:
    messages.error(request, " ".join(exc.messages))


@post_only
def shift(
    model_admin: ModelAdmin[Collection], request: HttpRequest, collection_id: int, node_id: int
) -> HttpResponse:
    collection, node = _editable_node(model_admin, request, collection_id, node_id)
    try:
        offset = int(request.POST.get("offset", "0"))
        outline.component_shift(unit=node, offset=offset, user=request.user)
    except (ValueError, ValidationError) as exc:
        _report(request, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
    return _back(request, collection, outline.parent_of(node))


def new_order(current: list[int], positions: dict[int, int]) -> list[int]:
    """The children's new order from the positions typed (or dragged) for some of them.

    ``positions`` maps a child's id to its wanted 1-based place among all the children; the
    others keep their relative order. A child whose number changed goes before one that kept
    the same number, so typing "2" for the fifth child puts it second.
    """
    index = {pk: i for i, pk in enumerate(current, start=1)}

    def key(pk: int) -> tuple[int, int, int]:
        wanted = positions.get(pk, index[pk])
        return (wanted, 0 if wanted != index[pk] else 1, index[pk])

    return sorted(current, key=key)


@post_only
def reorder(
    model_admin: ModelAdmin[Collection], request: HttpRequest, collection_id: int, node_id: int
) -> HttpResponse:
    collection, parent = _editable_node(model_admin, request, collection_id, node_id)
    current = list(tree.children(parent).values_list("pk", flat=True))
    positions: dict[int, int] = {}
    for key in request.POST:
        value = request.POST.get(key, "")
        if key.startswith("pos-") and key[4:].isdigit() and value.strip().lstrip("-").isdigit():
            positions[int(key[4:])] = int(value)
    if set(positions) - set(current):
        raise Http404("A component in the form is not a child of this node.")
    try:
        changed = outline.children_reorder(
            parent=parent, order=new_order(current, positions), user=request.user
        )
        messages.success(request, f"Saved the new order ({changed} moved).")
    except ValidationError as exc:
        _report(request, exc)
    return _back(request, collection, parent)


@post_only
def publish(
    model_admin: ModelAdmin[Collection], request: HttpRequest, collection_id: int, node_id: int
) -> HttpResponse:
    collection, node = _editable_node(model_admin, request, collection_id, node_id)
    if request.POST.get("publish") == "1":
        count = publishing.unit_publish(unit=node, user=request.user)
        messages.success(request, f"Published “{node.display_title}” ({count} components).")
    else:
        count = publishing.unit_unpublish(unit=node, user=request.user)
        messages.success(request, f"Unpublished “{node.display_title}” ({count} components).")
    return _back(request, collection, outline.parent_of(node) if node.depth > 1 else node)


def move(
    model_admin: ModelAdmin[Collection], request: HttpRequest, collection_id: int, node_id: int
) -> HttpResponse:
    """Choose where to move a component: search any collection the user may edit."""
    collection, node = _editable_node(model_admin, request, collection_id, node_id)
    if request.method == "POST":
        targets = permissions.scope(
            Component.objects.all(), request.user, roles=permissions.EDIT_ROLES
        )
        target = targets.filter(pk=request.POST.get("target") or 0).first()
        if target is None:
            raise Http404("No such target.")
        raw_position = (request.POST.get("position") or "").strip()
        position = int(raw_position) if raw_position.isdigit() else None
        try:
            outline.component_move(unit=node, parent=target, position=position, user=request.user)
        except ValidationError as exc:
            _report(request, exc)
            return HttpResponseRedirect(request.path)
        messages.success(request, f"Moved “{node.display_title}” under “{target.display_title}”.")
        return HttpResponseRedirect(_outline_url(target.collection, target))
    query = request.GET.get("q", "").strip()
    candidates = permissions.scope(
        Component.objects.select_related("collection"), request.user, roles=permissions.EDIT_ROLES
    ).exclude(level__in=["item"])
    if query:
        candidates = candidates.filter(
            Q(title__icontains=query) | Q(identifier__icontains=query) | Q(ref=query)
        )
    else:
        # Without a search: this collection's root and series-level units, the likely targets.
        candidates = candidates.filter(collection=collection, depth__lte=3)
    # Not into itself or below itself.
    candidates = candidates.exclude(
        collection=collection,
        path__gte=node.path,
        path__lte=tree.subtree_upper_bound(node.path),
    ).order_by("collection_id", "path")[:100]
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Collection._meta,
        "title": f"Move “{node.display_title}”",
        "collection": collection,
        "node": node,
        "query": query,
        "candidates": candidates,
        "outline_url": _outline_url(collection, outline.parent_of(node)),
    }
    return TemplateResponse(request, "admin/archive/collection/outline_move.html", context)


# --- the selection ------------------------------------------------------------------------------

SELECTION_ACTIONS = ("move", "publish", "unpublish", "delete")


def move_targets(request: HttpRequest, collection: Collection) -> list[Component]:
    """Where a selection may be moved from the outline page: the collection's root and its
    units down to the third level (the move page searches further)."""
    return list(
        permissions.scope(Component.objects.all(), request.user, roles=permissions.EDIT_ROLES)
        .filter(collection=collection, depth__lte=3)
        .exclude(level="item")
        .order_by("path")[:200]
    )


@post_only
def selection(
    model_admin: ModelAdmin[Collection], request: HttpRequest, collection_id: int, node_id: int
) -> HttpResponse:
    """Act on the ticked rows at once, through the services (one transaction each action).

    A delete first answers a confirmation page stating what goes; posting it with
    ``confirm=yes`` deletes. Ids from another collection answer 404.
    """
    collection = _collection(model_admin, request, collection_id)
    _editable(request, collection)
    node = _node(collection, node_id)
    ids = [int(i) for i in request.POST.getlist("selected") if i.isdigit()]
    action = request.POST.get("action", "")
    units = list(collection.components.filter(pk__in=ids))
    if len(units) != len(set(ids)):
        raise Http404("A selected component is not in this collection.")
    if not units or action not in SELECTION_ACTIONS:
        messages.error(request, "Tick at least one component and choose what to do.")
        return _back(request, collection, node)
    try:
        if action == "delete":
            return _selection_delete(model_admin, request, collection, node, units)
        message = _selection_apply(request, action, units)
    except ValidationError as exc:
        _report(request, exc)
        return _back(request, collection, node)
    messages.success(request, message)
    return _back(request, collection, node)


def _selection_apply(request: HttpRequest, action: str, units: list[Component]) -> str:
    """Publish, unpublish or move ``units``; returns what to tell the user."""
    if action == "move":
        targets = permissions.scope(
            Component.objects.all(), request.user, roles=permissions.EDIT_ROLES
        )
        target = targets.filter(pk=request.POST.get("target") or 0).first()
        if target is None:
            raise ValidationError("Choose where to move the selection.")
        moved = outline.components_move(units=units, parent=target, user=request.user)
        return f"Moved {moved} component{'s' if moved != 1 else ''} under “{target.display_title}”."
    if action == "publish":
        count = publishing.units_publish(units=units, user=request.user)
        return f"Published {count} component{'s' if count != 1 else ''}."
    count = publishing.units_unpublish(units=units, user=request.user)
    return f"Unpublished {count} component{'s' if count != 1 else ''}."


def _selection_delete(
    model_admin: ModelAdmin[Collection],
    request: HttpRequest,
    collection: Collection,
    node: Component,
    units: list[Component],
) -> HttpResponse:
    """Ask (with the true counts), then delete once confirmed."""
    chosen = outline.units_topmost(units)
    if request.POST.get("confirm") == "yes":
        count = outline.components_delete(units=chosen, user=request.user)
        messages.success(request, f"Deleted {count} component{'s' if count != 1 else ''}.")
        return _back(request, collection, node)
    totals: dict[str, int] = {}
    for unit in chosen:
        for label, n in outline.subtree_contents_count(unit=unit).items():
            totals[label] = totals.get(label, 0) + n
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Collection._meta,
        "title": "Delete the selected components?",
        "collection": collection,
        "node": node,
        "units": chosen,
        "totals": [(label, n) for label, n in totals.items() if n],
        "next": request.POST.get("next", ""),
    }
    return TemplateResponse(request, "admin/archive/collection/outline_delete.html", context)
