"""What crawlers may read: ``/robots.txt`` and the sitemaps it names.

The sitemap index (``/sitemap.xml``) lists one sitemap per kind of public page (collections,
components, agents, subjects), each split into pages of at most ``FONDS_SITEMAP_LIMIT`` URLs
(the protocol's limit, 50,000, by default). Every URL in them is a public page, chosen by the
same rules as the pages themselves (``archive.visibility``). ``lastmod`` is the finding aid's
content stamp (``Collection.content_changed``, the OAI-PMH datestamp) for collection and
component pages, and the record's own ``updated`` time for agents and subjects.

``/robots.txt`` keeps crawlers out of what has no end (search result and facet combinations,
outline batches, OAI-PMH, the admin) and points them to the sitemap; search pages also mark
their facet links ``rel="nofollow"``.
"""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.core.paginator import Paginator
from django.db.models import Max, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from archive.models import Agent, Collection, Component, Subject
from archive.visibility import public_authorities, public_collections, public_units


class LimitedSitemap(Sitemap[Any]):
    """A sitemap paged at ``FONDS_SITEMAP_LIMIT`` URLs, read when a request pages it (so a
    changed setting takes effect without a restart)."""

    @abstractmethod
    def items(self) -> QuerySet[Any]:
        """The public records of this kind, in a stable order (each sitemap says which)."""

    @property
    def paginator(self) -> Paginator[Any]:
        return Paginator(self.items(), int(settings.FONDS_SITEMAP_LIMIT))


class CollectionSitemap(LimitedSitemap):
    """Public finding aids: their collection pages."""

    def items(self) -> QuerySet[Collection]:
        return (
            public_collections(Collection.objects.all())
            .select_related("repository")
            .only("ead_id", "content_changed", "repository__code")
            .order_by("pk")
        )

    def lastmod(self, item: Collection) -> datetime:
        return item.content_changed

    def get_latest_lastmod(self) -> datetime | None:
        return self.items().aggregate(latest=Max("content_changed"))["latest"]


class ComponentSitemap(LimitedSitemap):
    """Public components below the collection level that have a page (a machine id)."""

    def items(self) -> QuerySet[Component]:
        return (
            public_units(Component.objects.filter(depth__gt=1).exclude(ref=""))
            .select_related("collection__repository")
            .only(
                "ref",
                "depth",
                "collection__ead_id",
                "collection__content_changed",
                "collection__repository__code",
            )
            .order_by("pk")
        )

    def location(self, item: Component) -> str:
        collection = item.collection
        return reverse(
            "archive:component",
            kwargs={
                "repository": collection.repository.code,
                "ead_id": collection.ead_id,
                "ref": item.ref,
            },
        )

    def lastmod(self, item: Component) -> datetime:
        return item.collection.content_changed

    def get_latest_lastmod(self) -> datetime | None:
        return public_collections(Collection.objects.all()).aggregate(
            latest=Max("content_changed")
        )["latest"]


class AuthoritySitemap(LimitedSitemap):
    """Agent or subject pages the public may see (linked from a public unit)."""

    model: type[Agent] | type[Subject]

    def __init__(self, model: type[Agent] | type[Subject]) -> None:
        self.model = model

    def items(self) -> QuerySet[Any]:
        records = public_authorities(self.model.objects.all())
        return records.only("slug", "updated").order_by("pk")

    def lastmod(self, item: Agent | Subject) -> datetime:
        return item.updated

    def get_latest_lastmod(self) -> datetime | None:
        return self.items().aggregate(latest=Max("updated"))["latest"]


SITEMAPS: dict[str, Sitemap] = {
    "collections": CollectionSitemap(),
    "components": ComponentSitemap(),
    "agents": AuthoritySitemap(Agent),
    "subjects": AuthoritySitemap(Subject),
}

# Paths crawlers are asked to keep out of: searches and facet combinations have no end, outline
# batches repeat the collection page, OAI-PMH is for harvesters, the JSON API for scripts, a
# request list is one researcher's, the admin is for staff.
DISALLOWED = ("/search/", "/outline/", "/oai", "/api/", "/requests/")


def robots_text(request: HttpRequest) -> str:
    """The body of ``/robots.txt`` for this site."""
    custom = settings.FONDS_ROBOTS_TXT
    if custom:
        with open(custom, encoding="utf-8") as handle:
            return handle.read()
    if settings.FONDS_ROBOTS_DISALLOW_ALL:
        return "User-agent: *\nDisallow: /\n"
    paths = [*DISALLOWED, "/" + settings.FONDS_ADMIN_PATH.lstrip("/")]
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in paths), ""]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('archive:sitemap-index'))}")
    return "\n".join(lines) + "\n"


@require_GET
@cache_control(max_age=3600, public=True)
def robots(request: HttpRequest) -> HttpResponse:
    return HttpResponse(robots_text(request), content_type="text/plain; charset=utf-8")
