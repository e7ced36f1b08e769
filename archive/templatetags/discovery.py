"""Template tags for search engines: schema.org JSON-LD (``archive.structured_data``) and the
``<link rel="alternate">`` to a finding aid's EAD downloads, built from the page's context."""

from __future__ import annotations

from django import template
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from archive import structured_data
from archive.models import Collection
from archive.services.exports import FORMATS

LABELS = {"ead2002": "EAD 2002", "ead3": "EAD3"}

register = template.Library()


@register.simple_tag(takes_context=True)
def unit_json_ld(context: template.Context) -> SafeString:
    """JSON-LD for a collection or component page (its context as ``views._unit_context``
    makes it, with ``collection`` and ``repository``)."""
    request = context["request"]
    collection = context["collection"]
    unit = context["unit"]
    subjects = [term for _, terms in context.get("subject_groups") or [] for term in terms]
    data = structured_data.unit_data(
        unit=unit,
        page_url=context["page_url"],
        repository=context["repository"],
        collection_url=request.build_absolute_uri(collection.get_absolute_url()),
        collection_title=collection.root.display_title if unit.depth > 1 else unit.display_title,
        abstracts=context.get("abstracts") or [],
        creators=context.get("creators") or [],
        subjects=subjects,
        languages=context.get("languages") or [],
        absolute=request.build_absolute_uri,
    )
    return structured_data.script_tag(data)


@register.simple_tag(takes_context=True)
def agent_json_ld(context: template.Context) -> SafeString:
    """JSON-LD for an agent page."""
    agent = context["agent"]
    url = context["request"].build_absolute_uri(agent.get_absolute_url())
    variants = [variant.name for variant in context.get("variants") or []]
    return structured_data.script_tag(structured_data.agent_data(agent, url, variants))


@register.simple_tag(takes_context=True)
def repository_json_ld(context: template.Context) -> SafeString:
    """JSON-LD for a repository page."""
    repository = context["repository"]
    url = context["request"].build_absolute_uri(repository.get_absolute_url())
    data = {"@context": structured_data.CONTEXT, **structured_data.repository_data(repository, url)}
    return structured_data.script_tag(data)


@register.simple_tag
def ead_alternates(collection: Collection) -> SafeString:
    """``<link rel="alternate">`` to each public EAD download of ``collection``."""
    kwargs = {"repository": collection.repository.code, "ead_id": collection.ead_id}
    return format_html_join(
        "\n",
        '<link rel="alternate" type="application/xml" title="{}" href="{}">',
        (
            (
                f"{LABELS[fmt]} finding aid",
                reverse("archive:collection-ead", kwargs={**kwargs, "fmt": fmt}),
            )
            for fmt in FORMATS
        ),
    )
