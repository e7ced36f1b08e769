"""Template helpers for the public pages: safe note rendering, links from data (through the
one URL rule, ``archive.links``) and URLs that cost no query."""

from __future__ import annotations

import html
import re

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from archive import links
from archive.models import Component
from archive.visibility import public_html, public_items

register = template.Library()

_BLOCK_START = re.compile(r"^\s*<(p|ul|ol|dl|table|blockquote|h3|address)\b")


@register.filter
def note_html(fragment: str | None) -> SafeString:
    """Render a stored note fragment for a public page (``visibility.public_html``): the EAD
    markup whitelist, without the elements marked internal.

    Fragments with no block element (plain text, or text with inline emphasis) are wrapped
    in paragraphs at blank lines, so a note never renders as one run-on line.
    """
    rendered = public_html(fragment or "")
    if not rendered.strip():
        return mark_safe("")
    if _BLOCK_START.match(rendered):
        return mark_safe(rendered)
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", rendered) if p.strip()]
    return mark_safe("".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in paragraphs))


@register.filter
def safe_link(url: str | None) -> str:
    """The URL if it may be a link on our pages (``archive.links.safe_link``), else "".

    Use it for every ``href`` that comes from the data; when it gives "", show the value as
    text instead::

        {% with href=obj.link|safe_link %}{% if href %}<a href="{{ href }}">...{% endif %}
    """
    return links.safe_link(url) or ""


@register.filter
def plain_paragraphs(text: str | None) -> SafeString:
    """Escape plain text and split it into paragraphs at blank lines."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    return mark_safe("".join(f"<p>{html.escape(p)}</p>" for p in paragraphs))


@register.simple_tag
def unit_url(unit: Component, repository_code: str, ead_id: str) -> str:
    """A unit's public URL from values the page already has (no query per outline row)."""
    if unit.depth == 1:
        return reverse(
            "archive:collection", kwargs={"repository": repository_code, "ead_id": ead_id}
        )
    if not unit.ref:
        return ""
    return reverse(
        "archive:component",
        kwargs={"repository": repository_code, "ead_id": ead_id, "ref": unit.ref},
    )


@register.filter
def unit_dates(unit: Component) -> str:
    """ "1912-1994, bulk 1936-1947" from the prefetched dates."""
    return ", ".join(d.display for d in public_items(unit.dates.all()) if d.display)


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: object) -> str:
    """The current query string with some parameters replaced (``None`` removes one)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            params.pop(key, None)
        else:
            params[key] = str(value)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"
